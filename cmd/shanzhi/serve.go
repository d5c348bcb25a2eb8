package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"shanzhi/internal/api"
	"shanzhi/internal/config"
	"shanzhi/internal/i18n"
	"shanzhi/internal/password"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/web"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, true, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := firstAdmin(ctx, db, stdout); err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, db, false, stdout, stderr)
}

// firstAdmin creates the administrator on a database without users and
// prints its one-time password: there is never an account with a known
// default password.
func firstAdmin(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := password.Random()
	if _, err := db.CreateUser(ctx, nil, "admin", "系统管理员", pw, adminGrants()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user admin with one-time password %s (it must be changed at first sign-in)\n", pw)
	return nil
}

// handler assembles the pages, the API and the middleware.
func handler(cfg config.Config, db *sqlstore.DB, demo bool, log *slog.Logger) (http.Handler, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	w, err := web.New(web.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: db.Auth(), Log: log,
		Demo: demo, MaxUpload: int64(cfg.MaxUploadMB) << 20, Now: time.Now})
	if err != nil {
		return nil, err
	}
	a := api.New(api.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: db.Auth(), Log: log})
	mux := http.NewServeMux()
	w.Routes(mux)
	a.Routes(mux)
	return server.Middleware(mux, db.Auth(), log, false), nil
}

func listenAndServe(ctx context.Context, cfg config.Config, db *sqlstore.DB, demo bool, stdout, stderr io.Writer) error {
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogJSON {
		h = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(h)
	hd, err := handler(cfg, db, demo, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: hd, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(h, slog.LevelWarn)}
	// Start-up (regions, demo import, password hashing) leaves tens of
	// megabytes of garbage; returning it now keeps an idle township PC's
	// footprint small instead of waiting for the scavenger.
	runtime.GC()
	debug.FreeOSMemory()
	fmt.Fprintf(stdout, "shanzhi listening on http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
