//go:build unix

package secret

import (
	"io/fs"
	"os"
	"syscall"
)

// chownLike gives f the owner of like when they differ, which happens when
// root rotates a key file that a service account reads. A group that
// cannot be set is let go: at mode 0600 the group reads nothing.
func chownLike(f *os.File, like fs.FileInfo) error {
	want, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	have, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || (have.Uid == want.Uid && have.Gid == want.Gid) {
		return nil
	}
	err = f.Chown(int(want.Uid), int(want.Gid))
	if err != nil && have.Uid == want.Uid {
		return nil
	}
	return err
}

// syncDir makes a rename or a new name in dir durable: without it a power
// cut can bring back the old directory entry.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
