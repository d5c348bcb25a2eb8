package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRequestLogRedactsTokens checks that a credential carried in a path
// never reaches the request log, whatever the route answers.
func TestRequestLogRedactsTokens(t *testing.T) {
	rt := &Router{Mux: http.NewServeMux()}
	ok := func(http.ResponseWriter, *http.Request) {}
	rt.HandleFunc("GET /card/{token}", Rule{On: Public}, ok)
	rt.HandleFunc("GET /apply/t/{token}", Rule{On: Public}, ok)
	rt.HandleFunc("GET /apply/t/{token}/files/{file}", Rule{On: Public}, ok)
	rt.HandleFunc("GET /households/{id}", Rule{On: Public}, ok)
	if got := strings.Join(rt.SecretPrefixes(), " "); got != "/card/ /apply/t/" {
		t.Fatalf("secret prefixes %q", got)
	}
	var buf bytes.Buffer
	h := Middleware(rt.Mux, nil, slog.New(slog.NewTextHandler(&buf, nil)), Options{Secret: rt.SecretPrefixes()})
	const tok = "Zq3rT0kenValue_abcdefghijklmnop"
	for _, p := range []string{"/card/" + tok, "/apply/t/" + tok, "/apply/t/" + tok + "/files/3", "/apply/t/" + tok + "/nowhere", "/apply/./t/" + tok, "/card//" + tok, "/apply/t/" + tok + "/"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, p, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/households/42", nil))
	log := buf.String()
	if strings.Contains(log, tok) {
		t.Fatalf("the request log holds a token:\n%s", log)
	}
	for _, want := range []string{"path=/card/[redacted]", "path=/apply/t/[redacted]/files/3", "path=/households/42"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
