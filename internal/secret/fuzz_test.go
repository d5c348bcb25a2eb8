package secret

import (
	"slices"
	"testing"
)

// FuzzParseKeys reads arbitrary key files: whatever an operator's editor
// left in one, parsing ends in keys or an error, and keys written back by
// FormatKeys read back the same.
func FuzzParseKeys(f *testing.F) {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = byte(i)
	}
	f.Add(FormatKeys([]Key{{Suite: AES, Raw: k}, {Suite: SM, Raw: k}}))
	f.Add(EncodeKey(Key{Suite: SM, Raw: k}) + "\r\n# old\n" + EncodeKey(Key{Suite: AES, Raw: k[:16]}))
	f.Add("not base64!\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseKeys(s)
		if err != nil {
			return
		}
		back, err := ParseKeys(FormatKeys(keys))
		if err != nil || !slices.EqualFunc(back, keys, Key.Equal) {
			t.Fatalf("keys do not survive FormatKeys: %v", err)
		}
	})
}
