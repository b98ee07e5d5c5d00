package deploy

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, COPY, ...
	args string
	line int
}

// stage is one FROM and the instructions under it.
type stage struct {
	base, name string
	body       []instruction
}

func parseDockerfile(t testing.TB, path string) []stage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		stages  []stage
		pending strings.Builder
		start   int
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if pending.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if pending.Len() == 0 {
			start = n
		} else if strings.HasPrefix(line, "#") {
			continue // a comment inside a continued instruction
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending.WriteString(cont + " ")
			continue
		}
		pending.WriteString(line)
		cmd, args, _ := strings.Cut(pending.String(), " ")
		pending.Reset()
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := stage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", path, in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if pending.Len() > 0 {
		t.Fatalf("%s: ends inside a continued instruction", path)
	}
	return stages
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// entrypoint is the final stage's exec-form ENTRYPOINT.
func entrypoint(t testing.TB, s stage) []string {
	t.Helper()
	eps := s.all("ENTRYPOINT")
	if len(eps) != 1 {
		t.Fatalf("final stage has %d ENTRYPOINTs, want one", len(eps))
	}
	var argv []string
	if err := json.Unmarshal([]byte(eps[0].args), &argv); err != nil || len(argv) == 0 {
		t.Fatalf("ENTRYPOINT %s is not in exec form (a JSON array): a shell form needs a shell, and signals would go to the shell, not gandi-mcp", eps[0].args)
	}
	return argv
}

// flagValue returns the value of --name in argv ("--name value" or "--name=value").
func flagValue(argv []string, name string) (string, bool) {
	for i, a := range argv {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, true
		}
		if a == name && i+1 < len(argv) {
			return argv[i+1], true
		}
	}
	return "", false
}

// buildCommand is the builder stage's go build, split into words.
func buildCommand(t *testing.T, s stage) (env map[string]string, argv []string) {
	t.Helper()
	for _, in := range s.all("RUN") {
		words := shellWords(in.args)
		env = map[string]string{}
		for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
			k, v, _ := strings.Cut(words[0], "=")
			env[k], words = v, words[1:]
		}
		if len(words) >= 2 && words[0] == "go" && words[1] == "build" {
			return env, words
		}
	}
	t.Fatalf("builder stage %q has no RUN go build", s.name)
	return nil, nil
}

// shellWords splits a simple shell command line: spaces, single and double quotes.
func shellWords(s string) []string {
	var (
		words []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words, in = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// caBases are minimal bases that ship CA certificates and no shell.
var caBases = regexp.MustCompile(`^gcr\.io/distroless/(static|base)(-debian\d+)?(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$`)

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "../Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("%d stage(s): want a builder stage and a minimal final stage", len(stages))
	}
	builder := stages[0]
	final := stages[len(stages)-1]
	if !regexp.MustCompile(`^golang:1\.26([.\-][\w.-]*)?$`).MatchString(builder.base) || builder.name == "" {
		t.Errorf("builder stage FROM %s AS %q: want a named golang:1.26 stage (go.mod says go 1.26)", builder.base, builder.name)
	}

	t.Run("static build", func(t *testing.T) {
		env, argv := buildCommand(t, builder)
		if env["CGO_ENABLED"] != "0" {
			t.Errorf("go build runs with CGO_ENABLED=%q: want 0, so the binary is static and runs on a base without libc", env["CGO_ENABLED"])
		}
		if !slices.Contains(argv, "-trimpath") {
			t.Errorf("go build %v: want -trimpath, so no build path is in the binary", argv)
		}
	})

	t.Run("final stage", func(t *testing.T) {
		if strings.HasPrefix(final.base, "golang") || final.base == builder.name {
			t.Fatalf("final stage FROM %s: want a minimal base, not the toolchain", final.base)
		}
		hasCA := caBases.MatchString(final.base)
		for _, c := range final.all("COPY") {
			hasCA = hasCA || strings.Contains(c.args, "ca-certificates")
		}
		if !hasCA {
			t.Errorf("final stage FROM %s: no CA certificates (want gcr.io/distroless/static or a COPY of ca-certificates.crt): Gandi's API is HTTPS", final.base)
		}
		users := final.all("USER")
		if len(users) == 0 {
			t.Fatal("final stage has no USER: the server would run as root")
		}
		user := users[len(users)-1].args
		uid, _, _ := strings.Cut(user, ":")
		if n, err := strconv.Atoi(uid); err != nil || n == 0 {
			t.Errorf("USER %s: want a numeric non-root uid (Kubernetes' runAsNonRoot cannot verify a user name)", user)
		}
		argv := entrypoint(t, final)
		copied := false
		for _, c := range final.all("COPY") {
			f := strings.Fields(c.args)
			copied = copied || (slices.Contains(f, "--from="+builder.name) && f[len(f)-1] == argv[0])
		}
		if !copied {
			t.Errorf("ENTRYPOINT runs %s, which no COPY --from=%s puts there", argv[0], builder.name)
		}
		if len(argv) < 2 || argv[1] != "serve" || !slices.Contains(argv, "--hosted") || !slices.Contains(argv, "--tls-terminated") {
			t.Errorf("ENTRYPOINT %v: want serve --hosted --http 0.0.0.0:PORT --tls-terminated", argv)
		}
		addr, _ := flagValue(argv, "--http")
		host, port, ok := strings.Cut(addr, ":")
		if !ok || host != "0.0.0.0" {
			t.Errorf("ENTRYPOINT --http %q: want 0.0.0.0:PORT, reachable from outside the container", addr)
		}
		exposed := false
		for _, e := range final.all("EXPOSE") {
			exposed = exposed || slices.Contains(strings.Fields(e.args), port) || slices.Contains(strings.Fields(e.args), port+"/tcp")
		}
		if !exposed {
			t.Errorf("final stage does not EXPOSE %s, the port of ENTRYPOINT's --http", port)
		}
		if hc := final.all("HEALTHCHECK"); len(hc) > 0 && caBases.MatchString(final.base) && !strings.EqualFold(hc[0].args, "NONE") {
			t.Errorf("HEALTHCHECK %s on %s, which has no shell or client to run it", hc[0].args, final.base)
		}
	})
}

// TestDockerfileBuild builds the binary with the Dockerfile's own go build
// command (and its VERSION argument) and checks what comes out: a static
// binary that reports the version it was given.
func TestDockerfileBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	stages := parseDockerfile(t, "../Dockerfile")
	env, argv := buildCommand(t, stages[0])
	out := filepath.Join(t.TempDir(), "gandi-mcp")
	const version = "v9.8.7-dockerfile-test"
	args := slices.Clone(argv[1:])
	for i, a := range args {
		args[i] = strings.ReplaceAll(strings.ReplaceAll(a, "${VERSION}", version), "$VERSION", version)
		if a == "-o" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked and will not run on a base without libc")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	got, err := exec.Command(out, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", out, err)
	}
	if !strings.Contains(string(got), version) {
		t.Errorf("version prints %q: want the VERSION the build was given, %s", got, version)
	}
}

// TestDockerignore checks that the build context keeps every file the build
// reads (the main module's Go and embedded files) and leaves out .git.
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for line := range strings.SplitSeq(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	if !ignored(patterns, ".git/HEAD") {
		t.Error(".dockerignore keeps .git: the context would carry the whole history")
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}{{end}}`,
		"../cmd/gandi-mcp").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, _ := filepath.Abs("..")
	need := []string{"go.mod", "go.sum"}
	for _, p := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		need = append(need, filepath.ToSlash(rel))
	}
	if len(need) < 10 {
		t.Fatalf("go list found %d files: %v", len(need), need)
	}
	for _, p := range need {
		if ignored(patterns, p) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", p)
		}
	}
}

// ignored applies .dockerignore patterns to a slash path: a pattern matches the
// path or one of its parent directories; "**/" matches any number of directories;
// a later "!pattern" takes a path back.
func ignored(patterns []string, path string) bool {
	out := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/")
		if matchPath(p, path) {
			out = !neg
		}
	}
	return out
}

func matchPath(pattern, path string) bool {
	parts := strings.Split(path, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
			for j := 0; j < i; j++ {
				if m, _ := filepath.Match(rest, strings.Join(parts[j:i], "/")); m {
					return true
				}
			}
			continue
		}
		if m, _ := filepath.Match(pattern, prefix); m {
			return true
		}
	}
	return false
}
