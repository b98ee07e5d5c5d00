package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// EnvProfile selects a profile when no --profile flag does.
const EnvProfile = "GANDI_PROFILE"

// MaxProfileLen is the longest profile name.
const MaxProfileLen = 32

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ProfileNameError says a profile name is not valid. The name is repeated only when it
// is too short to be a token pasted in the wrong place.
type ProfileNameError struct {
	Name string
}

// Error says what a valid name looks like.
func (e *ProfileNameError) Error() string {
	shown := "(not repeated: it could be a token)"
	if len(e.Name) < MinTokenLen && !strings.HasPrefix(e.Name, "pat_") {
		shown = fmt.Sprintf("%q", e.Name)
	}
	return fmt.Sprintf("the profile name %s is not valid: a profile is 1 to %d characters, lower-case letters a-z, digits, '-' and '_', starting with a letter or digit (e.g. acme, perso-2)",
		shown, MaxProfileLen)
}

// ValidateProfile checks a profile name against [a-z0-9][a-z0-9_-]{0,31}; "" (no
// profile) is valid.
func ValidateProfile(name string) error {
	if name == "" || profileName.MatchString(name) {
		return nil
	}
	return &ProfileNameError{Name: name}
}

// UnknownProfileError says a selected profile has no directory in its environment.
type UnknownProfileError struct {
	Name    string
	Sandbox bool
	// Known are the environment's profiles, sorted.
	Known []string
}

// Error lists the profiles that exist and says how to create this one.
func (e *UnknownProfileError) Error() string {
	env, flag := "production", ""
	if e.Sandbox {
		env, flag = "sandbox", " --sandbox"
	}
	known := "there are none yet"
	if len(e.Known) > 0 {
		known = "the " + env + " profiles are: " + strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("there is no %s profile %q: %s; create it by storing its token: gandi-mcp token set%s --profile %s",
		env, e.Name, known, flag, e.Name)
}

// profilesDirs are the directories holding the environment's profiles, in the order of
// TokenPaths.
func profilesDirs(o Options) []string {
	o.Profile = ""
	var dirs []string
	for _, p := range TokenPaths(o) {
		dirs = append(dirs, filepath.Join(filepath.Dir(p), "profiles"))
	}
	return dirs
}

// Profiles lists the profiles of o's environment (o.Profile is ignored): the directories
// with a valid profile name under gandi/[sandbox/]profiles in each configuration
// directory TokenPaths looks at, sorted, each once.
func Profiles(o Options) ([]string, error) {
	var names []string
	for _, dir := range profilesDirs(o) {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list profiles in %s: %w", dir, err)
		}
		for _, e := range entries {
			if ValidateProfile(e.Name()) == nil && e.Name() != "" && isDir(filepath.Join(dir, e.Name())) {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// isDir follows links: a profile directory may be a link to one.
func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// CheckProfile checks that o.Profile is a valid name and, unless it is "", that the
// profile exists in o's environment: a *ProfileNameError or an *UnknownProfileError
// otherwise, before anything is read or sent.
func CheckProfile(o Options) error {
	if err := ValidateProfile(o.Profile); err != nil || o.Profile == "" {
		return err
	}
	known, err := Profiles(o)
	if err != nil {
		return err
	}
	if slices.Contains(known, o.Profile) {
		return nil
	}
	return &UnknownProfileError{Name: o.Profile, Sandbox: o.Sandbox, Known: known}
}
