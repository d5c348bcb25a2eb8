package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// pdfText reads a PDF's text back with poppler's pdftotext, through the
// ToUnicode maps; "" when pdftotext is not installed outside CI.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
		}
		return ""
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
