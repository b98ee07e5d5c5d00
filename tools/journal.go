package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// JournalEntry is one applied change, as the journal records it: never a secret.
type JournalEntry struct {
	Time        time.Time `json:"time"`
	Tool        string    `json:"tool"`
	Object      string    `json:"object"`
	Environment string    `json:"environment"`
	TokenName   string    `json:"token_name,omitempty"`
	// TokenFingerprint identifies the token without revealing it (see Fingerprint).
	TokenFingerprint string          `json:"token_fingerprint,omitempty"`
	TokenSource      string          `json:"token_source,omitempty"` // a variable's name or a file's path
	Profile          string          `json:"profile,omitempty"`      // the profile whose token file it is
	PlanID           string          `json:"plan_id"`
	SnapshotID       string          `json:"snapshot_id,omitempty"`
	Changes          []PlannedChange `json:"changes"`
	Result           string          `json:"result"` // ok, partial or failed

	secrets []string // scrubbed from the line, in case a value holds one
}

// Journal records applied changes. Open is called before anything is written at Gandi:
// a journal that cannot be opened stops the apply before it starts.
type Journal interface {
	Open() (JournalWriter, error)
}

// JournalWriter appends the entries of one apply.
type JournalWriter interface {
	Append(e JournalEntry) error
	// Where names the journal for the result (a file's path).
	Where() string
	Close() error
}

// journal is the Journal of d: Deps.Journal, else the file Deps.JournalFile.
func (d *Deps) journal() Journal {
	if d.Journal != nil {
		return d.Journal
	}
	return fileJournal{path: d.JournalFile}
}

// fileJournal is a JSON Lines file, mode 0600 in a directory 0700.
type fileJournal struct{ path string }

// journalMu serialises appends within the process, so lines never interleave.
var journalMu sync.Mutex

// JournalError is a journal that cannot be written, with its path.
type JournalError struct {
	Path string
	Err  error
}

func (e *JournalError) Error() string { return fmt.Sprintf("journal %s: %v", e.Path, e.Err) }
func (e *JournalError) Unwrap() error { return e.Err }

func (j fileJournal) Open() (JournalWriter, error) {
	if j.path == "" {
		return nil, &JournalError{Path: "(none)", Err: errors.New("no journal file is configured: neither XDG_STATE_HOME nor HOME is known")}
	}
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return nil, &JournalError{Path: j.path, Err: err}
	}
	if fi, err := os.Lstat(j.path); err == nil && !fi.Mode().IsRegular() {
		return nil, &JournalError{Path: j.path, Err: errors.New("it is not a regular file (a link, a directory or a device)")}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &JournalError{Path: j.path, Err: err}
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &JournalError{Path: j.path, Err: err}
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		err = f.Chmod(0o600) // it records what was changed and by which token: only its owner reads it
	}
	if err != nil {
		_ = f.Close()
		return nil, &JournalError{Path: j.path, Err: err}
	}
	return &fileJournalWriter{f: f, path: j.path}, nil
}

type fileJournalWriter struct {
	f    *os.File
	path string
}

func (w *fileJournalWriter) Append(e JournalEntry) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return &JournalError{Path: w.path, Err: err}
	}
	line := auth.Redact(string(raw), e.secrets...) + "\n"
	journalMu.Lock()
	defer journalMu.Unlock()
	if _, err := w.f.WriteString(line); err != nil {
		return &JournalError{Path: w.path, Err: err}
	}
	return nil
}

func (w *fileJournalWriter) Where() string { return w.path }
func (w *fileJournalWriter) Close() error  { return w.f.Close() }

// AuditJournal is the Journal of a hosted server: each applied change is one JSON line
// on W (stderr), for the platform's log pipeline, with the token's fingerprint and name
// and never a secret. It keeps no file: a hosted server has no local storage.
type AuditJournal struct{ W io.Writer }

// Open never fails: there is nothing to open.
func (j AuditJournal) Open() (JournalWriter, error) { return auditWriter{w: j.W}, nil }

type auditWriter struct{ w io.Writer }

// auditLine is an entry as the audit log shows it, marked so that a log pipeline can pick it out.
type auditLine struct {
	Audit string `json:"audit"`
	JournalEntry
}

func (w auditWriter) Append(e JournalEntry) error {
	raw, err := json.Marshal(auditLine{Audit: "change_applied", JournalEntry: e})
	if err != nil {
		return &JournalError{Path: "stderr", Err: err}
	}
	line := auth.Redact(string(raw), e.secrets...) + "\n"
	journalMu.Lock()
	defer journalMu.Unlock()
	if _, err := io.WriteString(w.w, line); err != nil {
		return &JournalError{Path: "stderr", Err: err}
	}
	return nil
}

func (auditWriter) Where() string { return "the server's audit log (stderr)" }
func (auditWriter) Close() error  { return nil }

// journalTrouble explains a journal that cannot be opened: nothing was changed.
func journalTrouble(err error) *Failure {
	path := "the journal"
	var je *JournalError
	if errors.As(err, &je) {
		path = je.Path
	}
	return &Failure{T: Troubleshooting{
		Diagnosis: JournalUnavailable,
		Summary:   "The journal of changes cannot be written (" + err.Error() + "), so nothing was changed: every change gandi-mcp makes is recorded first.",
		LikelyCauses: []string{
			"The state directory ($XDG_STATE_HOME/gandi-mcp, else ~/.local/state/gandi-mcp) is not writable by the user running gandi-mcp.",
			"The journal file is a link, a directory, or belongs to another user.",
		},
		NextSteps: []string{
			"Make " + filepath.Dir(path) + " a directory the user running gandi-mcp can write (mode 0700), or set XDG_STATE_HOME to one.",
			"Then call the tool again with the same plan_id.",
		},
	}}
}
