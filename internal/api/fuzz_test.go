package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"shanzhi/internal/fault"
)

// FuzzDecode feeds arbitrary request bodies to the API's JSON decoder with
// a body shape the points endpoints take: whatever a client sends ends in
// a value or an invalid-request fault with a catalogue message, never a
// panic and never an internal error, which would answer 500.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"household":1,"items":[{"goods":2,"qty":1}]}`, `{"item":"cus-01","photo":true}`, `{"household":"1"}`,
		`{"nope":1}`, `{}{}`, `[`, ``, `{"items":[{"goods":1e400}]}`, "{\"item\":\"\xff\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v struct {
			Household int64  `json:"household"`
			Item      string `json:"item"`
			Photo     bool   `json:"photo"`
			Items     []struct {
				Goods int64 `json:"goods"`
				Qty   int64 `json:"qty"`
			} `json:"items"`
		}
		err := decode(r, &v)
		if err == nil {
			return
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.Invalid {
			t.Fatalf("decode(%q) = %v, want an invalid-request fault", body, err)
		}
	})
}
