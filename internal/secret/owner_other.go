//go:build !unix

package secret

import (
	"io/fs"
	"os"
)

// chownLike does nothing where files have no Unix owner.
func chownLike(*os.File, fs.FileInfo) error { return nil }

// syncDir does nothing where a directory cannot be synced; the rename
// itself is then as durable as the platform makes it.
func syncDir(string) error { return nil }
