package secret

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// smPrefix marks a key of the SM suite in a key file or variable; a bare
// base64 key is an AES key, as every key was before the SM suite.
const smPrefix = "sm:"

// EncodeKey renders a key as the line stored in a key file: its base64,
// after "sm:" for an SM key.
func EncodeKey(k Key) string {
	p := ""
	if k.Suite == SM {
		p = smPrefix
	}
	return p + base64.StdEncoding.EncodeToString(k.Raw) + "\n"
}

// DecodeKey parses one key as stored in a key file or variable.
func DecodeKey(s string) (Key, error) {
	k := Key{Suite: AES}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, smPrefix); ok {
		k.Suite, s = SM, rest
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Key{}, fmt.Errorf("secret: key is not base64: %w", err)
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(raw))
	}
	k.Raw = raw
	return k, nil
}

// ParseKeys reads a keyring as written in a key file, one base64 key per
// line ("sm:" before an SM key), or in SHANZHI_DATA_KEY, keys separated by
// commas because a variable is awkward to hold newlines. Blank lines and
// lines starting with # are skipped, so a key file can say which key is
// which. The first key is the one new values are sealed with.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			k, err := DecodeKey(f)
			if err != nil {
				// The key itself is never echoed: it may be nearly right.
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("secret: no key found")
	}
	return keys, nil
}

// LoadKeys reads every key of a key file, newest first, refusing a file
// that others can read, because the keys are what protect every ID number
// in the database.
func LoadKeys(path string) ([]Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %v); run chmod 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: key file: %w", err)
	}
	keys, err := ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", path, err)
	}
	return keys, nil
}

// LoadFile reads a key file and returns the key new values are sealed
// with, its first; LoadKeys returns the older keys too.
func LoadFile(path string) (Key, error) {
	keys, err := LoadKeys(path)
	if err != nil {
		return Key{}, err
	}
	return keys[0], nil
}

// CreateFile writes a new random key of suite s to path with mode 0600
// unless the file exists, and returns the key either way (the first, when
// the file holds several); the demo uses it to start without any setup.
func CreateFile(path string, s Suite) (Key, error) {
	if _, err := os.Stat(path); err == nil {
		return LoadFile(path)
	}
	k := NewKey(s)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Key{}, fmt.Errorf("secret: create key file: %w", err)
	}
	if _, err := f.WriteString(EncodeKey(k)); err != nil {
		f.Close()
		return Key{}, err
	}
	return k, f.Close()
}

// FormatKeys renders a keyring as a key file, each key under a comment
// naming its id, so an operator who later drops an old key can tell which
// line it is.
func FormatKeys(keys []Key) string {
	var b strings.Builder
	b.WriteString("# shanzhi personal-data keys, one base64 key per line;\n")
	b.WriteString("# \"sm:\" marks a key of the SM suite (SM4, SM3), the others are AES.\n")
	b.WriteString("# The first key seals new values; the others open values and backups\n")
	b.WriteString("# sealed before a rotation. Drop an old key only when no backup needs it.\n")
	for i, k := range keys {
		role := "older key, kept for reading"
		if i == 0 {
			role = "current key, seals new values"
		}
		fmt.Fprintf(&b, "# key %s: %s\n%s", KeyID(k), role, EncodeKey(k))
	}
	return b.String()
}

// AddKey puts k first in the key file at path, keeping every key already
// there after it, so that a crash at any moment leaves either the old file
// or the new one, never a torn one: the new content goes to a temporary
// file in the same directory, is synced, and is renamed over the old. The
// keys kept are those in the file at that moment, not those a caller read
// earlier, so two rotations run at once cannot drop each other's key. The
// old content is first kept beside it as path.<UTC time>.bak, mode 0600,
// whose name is returned.
func AddKey(path string, k Key, now time.Time) (backup string, err error) {
	if len(k.Raw) != KeySize {
		return "", fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(k.Raw))
	}
	// Renaming over a symbolic link would replace the link, not the file
	// the server reads.
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("secret: key file: %w", err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "", fmt.Errorf("secret: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("secret: key file %s is readable by others (mode %v); run chmod 600", path, fi.Mode().Perm())
	}
	old, err := os.ReadFile(target)
	if err != nil {
		return "", fmt.Errorf("secret: key file: %w", err)
	}
	kept, err := ParseKeys(string(old))
	if err != nil {
		return "", fmt.Errorf("secret: key file %s: %w", path, err)
	}
	for _, o := range kept {
		if o.Equal(k) {
			return "", fmt.Errorf("secret: key %s is already in %s", KeyID(k), path)
		}
	}
	keys := append([]Key{k}, kept...)
	dir := filepath.Dir(target)

	stamp := now.UTC().Format("20060102T150405Z")
	for n := 0; ; n++ {
		backup = target + "." + stamp + ".bak"
		if n > 0 {
			backup = fmt.Sprintf("%s.%s-%d.bak", target, stamp, n)
		}
		err = writeSynced(backup, os.O_WRONLY|os.O_CREATE|os.O_EXCL, old, fi)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("secret: back up key file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", fmt.Errorf("secret: back up key file: %w", err)
	}

	// A run killed between here and the rename left a copy of the keys
	// behind; it is of no use to anyone.
	if stale, _ := filepath.Glob(filepath.Join(dir, "."+filepath.Base(target)+".tmp-*")); len(stale) > 0 {
		for _, name := range stale {
			os.Remove(name)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("secret: write key file: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	if err = writeSynced(tmpName, os.O_WRONLY|os.O_TRUNC, []byte(FormatKeys(keys)), fi); err != nil {
		return "", fmt.Errorf("secret: write key file: %w", err)
	}
	// Read back what was written before it replaces the only copy.
	if got, rerr := os.ReadFile(tmpName); rerr != nil {
		err = rerr
		return "", fmt.Errorf("secret: write key file: %w", err)
	} else if back, perr := ParseKeys(string(got)); perr != nil || !slices.EqualFunc(back, keys, Key.Equal) {
		err = fmt.Errorf("secret: key file written to %s does not read back", tmpName)
		return "", err
	}
	if err = os.Rename(tmpName, target); err != nil {
		return "", fmt.Errorf("secret: replace key file: %w", err)
	}
	if err = syncDir(dir); err != nil {
		return "", fmt.Errorf("secret: replace key file: %w", err)
	}
	return backup, nil
}

// writeSynced writes data to name with mode 0600 and the owner of like,
// the file it stands in for, and syncs it to disk before returning, so the
// service account that reads the key file can still read it after root
// rotated it.
func writeSynced(name string, flag int, data []byte, like fs.FileInfo) error {
	f, err := os.OpenFile(name, flag, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := chownLike(f, like); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
