package api

import (
	"net/http"
	"strconv"
)

// Routes registers every endpoint under /api/v1. The access-control test
// walks this list.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/sessions", a.login)
	mux.HandleFunc("GET /api/v1/regions/{code}", a.handle(a.region))
	mux.HandleFunc("GET /api/v1/regions/{code}/children", a.handle(a.regionChildren))
	mux.HandleFunc("GET /api/v1/regions/{code}/history", a.handle(a.regionHistory))
	mux.HandleFunc("POST /api/v1/regions/{code}/rename", a.handle(a.regionDo(a.regionRename)))
	mux.HandleFunc("POST /api/v1/regions/{code}/villages", a.handle(a.regionDo(a.regionAddVillage)))
	mux.HandleFunc("POST /api/v1/regions/{code}/merge", a.handle(a.regionDo(a.regionMerge)))
	mux.HandleFunc("POST /api/v1/regions/{code}/retire", a.handle(a.regionDo(a.regionRetire)))
	mux.HandleFunc("GET /api/v1/households", a.handle(a.households))
	mux.HandleFunc("POST /api/v1/households", a.handle(a.householdCreate))
	mux.HandleFunc("GET /api/v1/households/{id}", a.handle(a.household))
	mux.HandleFunc("PATCH /api/v1/households/{id}", a.handle(a.householdUpdate))
	mux.HandleFunc("GET /api/v1/households/{id}/history", a.handle(a.householdHistory))
	mux.HandleFunc("POST /api/v1/households/{id}/members", a.handle(a.memberAdd))
	mux.HandleFunc("POST /api/v1/households/{id}/head", a.handle(a.changeHead))
	mux.HandleFunc("POST /api/v1/households/{id}/split", a.handle(a.split))
	mux.HandleFunc("POST /api/v1/households/{id}/merge", a.handle(a.merge))
	mux.HandleFunc("GET /api/v1/residents", a.handle(a.residents))
	mux.HandleFunc("GET /api/v1/residents/{id}", a.handle(a.resident))
	mux.HandleFunc("PATCH /api/v1/residents/{id}", a.handle(a.residentUpdate))
	mux.HandleFunc("POST /api/v1/residents/{id}/move", a.handle(a.residentMove))
	mux.HandleFunc("POST /api/v1/residents/{id}/status", a.handle(a.residentStatus))
	mux.HandleFunc("POST /api/v1/residents/{id}/reveal", a.handle(a.residentReveal))
	mux.HandleFunc("/api/", a.notFound)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
