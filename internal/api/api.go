// Package api is the JSON API under /api/v1. It calls the same services as
// the pages, so validation and authorisation are the same; it adds one
// error body shape: {"code", "message", "details": [{"field", "message"}],
// "request_id"}.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/market"
	"shanzhi/internal/org"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
	"shanzhi/internal/talent"
	"shanzhi/internal/training"
)

// Deps are what the API needs.
type Deps struct {
	Catalog  *i18n.Catalog
	Regions  region.Service
	Registry registry.Service
	Auth     access.AuthService
	Users    access.UserService
	Audit    audit.Service
	Awards   points.AwardService
	Ledger   points.Service
	Rankings points.RankingService
	Review   review.Service
	Schemes  scheme.Service
	Talent   talent.Service
	Org      org.Service
	Cadres   org.CadreService
	Training training.Service
	Surveys  survey.Service
	Market   market.Service
	Photos   points.PhotoService
	Honours  honour.BoardService
	Funds    honour.FundService
	// Privileges and Credit are the township's privileges and the
	// consented credit exports (道德积分贷).
	Privileges honour.PrivilegeService
	Credit     honour.CreditService
	Limits     *server.Limits
	Log        *slog.Logger
}

// API holds the dependencies.
type API struct{ Deps }

// New returns the API.
func New(d Deps) *API {
	if d.Limits == nil {
		d.Limits = server.NewLimits(time.Now, server.DefaultLimitSettings())
	}
	return &API{Deps: d}
}

// maxBody bounds a JSON body; nothing the API takes comes near it.
const maxBody = 1 << 20

type errorDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type errorBody struct {
	Code      fault.Code    `json:"code"`
	Message   string        `json:"message"`
	Details   []errorDetail `json:"details,omitempty"`
	RequestID string        `json:"request_id"`
}

func lang(r *http.Request) i18n.Lang { return i18n.Pick(r.Header.Get("Accept-Language")) }

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	id := server.RequestID(r.Context())
	l := lang(r)
	body := errorBody{Code: fault.CodeOf(err), RequestID: id}
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Code != fault.Internal {
		if fe.Code == fault.Forbidden && a.Audit != nil {
			if aerr := a.Audit.Denied(r.Context(), access.ActorFrom(r.Context()), "access.denied", r.Method+" "+r.URL.Path); aerr != nil {
				a.Log.Error("audit denied", "request_id", id, "err", aerr)
			}
		}
		body.Message = a.Catalog.Text(l, fe.Msg)
		for _, f := range fe.Fields {
			body.Details = append(body.Details, errorDetail{Field: f.Name, Message: a.Catalog.Text(l, f.Msg)})
		}
	} else {
		body.Code = fault.Internal
		body.Message = a.Catalog.T(l, "error.internal", id)
		a.Log.Error("api request failed", "request_id", id, "route", r.Pattern, "err", err) // the route: a path may carry a credential
	}
	write(w, fault.HTTPStatus(body.Code), body)
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// decode reads a JSON body strictly: unknown fields are refused, so a
// client cannot slip in a field the endpoint does not take (a household id,
// a status) and have it silently ignored or, worse, honoured.
func decode(r *http.Request, v any) error { return decodeMax(r, v, maxBody) }

// decodeMax is decode with its own bound, for the few bodies that carry
// a sheet's worth of rows (a league's applications).
func decodeMax(r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fault.E(fault.Invalid, "api.content_type")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return fault.OnField(fault.Invalid, typ.Field, "api.field_type")
		case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return fault.E(fault.Invalid, "error.bad_request")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return fault.OnField(fault.Invalid, name, "api.unknown_field", name)
		default:
			return fault.E(fault.Invalid, "error.bad_request")
		}
	}
	if dec.More() {
		return fault.E(fault.Invalid, "error.bad_request")
	}
	return nil
}

// actor resolves the caller from a bearer token (an API token, or the
// session a POST /api/v1/sessions returned) or from the session cookie
// the server's middleware loaded. A session still owing a second factor
// or a password change is refused.
func (a *API) actor(r *http.Request) (*access.Actor, error) {
	s := access.SessionFrom(r.Context())
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		var err error
		if s, err = a.Auth.Session(r.Context(), strings.TrimSpace(tok)); err != nil {
			return nil, err
		}
	}
	switch {
	case s == nil:
		return nil, fault.E(fault.Unauthorized, "error.unauthorized")
	case s.SecondFactor != "":
		return nil, fault.E(fault.Forbidden, "api.second_factor")
	case s.MustChange:
		return nil, fault.E(fault.Forbidden, "api.password_change")
	}
	return s.Actor, nil
}

// handle adapts an endpoint that returns a status and a body.
func (a *API) handle(fn func(r *http.Request, act *access.Actor) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		act, err := a.actor(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		status, body, err := fn(r, act)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		write(w, status, body)
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.E(fault.NotFound, "error.not_found")
	}
	return id, nil
}

// page reads offset and limit, refusing nonsense rather than guessing.
func page(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	var fs fault.Fields
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			fs.Add("offset", "api.offset")
		}
	}
	limit = 50
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 500 {
			fs.Add("limit", "api.limit")
		}
	}
	return offset, limit, fs.Err()
}

type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}
