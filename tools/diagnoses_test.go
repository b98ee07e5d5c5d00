package tools

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEDocumentsEveryDiagnosis keeps README's table and the codes in step.
func TestREADMEDocumentsEveryDiagnosis(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Diagnosis]bool{}
	for _, d := range Diagnoses {
		if seen[d.Code] {
			t.Errorf("diagnosis %s listed twice", d.Code)
		}
		seen[d.Code] = true
		if !strings.Contains(string(readme), "| `"+string(d.Code)+"` |") {
			t.Errorf("README's diagnosis table lacks %s", d.Code)
		}
	}
}
