package skill

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
)

func TestDemoAnswersFromItsOwnAccountOnly(t *testing.T) {
	// A real token in the person's environment must never be used in demo mode.
	t.Setenv("GANDI_API_TOKEN", "pat_realtokenoftheperson000000000000")
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	dir := d.dir
	srv := New(d.Deps(io.Discard, 0))
	res, err := srv.Call(context.Background(), "verify_token", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Valid bool   `json:"valid"`
		Name  string `json:"name"`
		Demo  bool   `json:"demo"`
	}
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Valid || out.Name != "demo-token" || !out.Demo {
		t.Errorf("verify_token in demo = %+v, want the valid demo token, marked demo", out)
	}
	for _, r := range d.Fake.Requests() {
		if r.Token == os.Getenv("GANDI_API_TOKEN") {
			t.Fatal("the person's token was sent to the demo fake")
		}
	}
	d.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("demo config dir %s left behind", dir)
	}
}
