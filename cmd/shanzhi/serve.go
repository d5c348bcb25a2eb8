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

	"shanzhi/internal/access"
	"shanzhi/internal/api"
	"shanzhi/internal/config"
	"shanzhi/internal/i18n"
	"shanzhi/internal/password"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/talent"
	"shanzhi/internal/web"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, db, err := loadAndOpen(ctx, "serve", args, getenv, stdout, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := firstAdmins(ctx, db, stdout); err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, db, false, stdout, stderr)
}

// firstAdmins creates the three administrators on a database without
// users and prints their one-time passwords: there is never an account
// with a known default password, and the duties stay separate from the
// first minute.
func firstAdmins(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	for _, a := range []struct {
		name, display string
		role          access.Role
	}{{"admin", "系统管理员", access.SysAdmin}, {"security", "安全管理员", access.SecAdmin}, {"auditor", "审计管理员", access.AuditAdmin}} {
		pw := password.Random()
		if _, err := db.CreateUser(ctx, nil, a.name, a.display, pw, []access.Grant{{Role: a.role, Region: province}}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s) with one-time password %s\n", a.name, a.display, pw)
	}
	fmt.Fprintln(stdout, "each must be changed at first sign-in, with an authenticator app for the second factor")
	return nil
}

// logRuns reports a scheduler's runs: failures always, work done when any.
func logRuns(log *slog.Logger, name, what string) func(int, error) {
	return func(n int, err error) {
		if err != nil {
			log.Error(name, "err", err)
		} else if n > 0 {
			log.Info(name, what, n)
		}
	}
}

// policy turns the configuration into the sign-in policy.
func policy(cfg config.Config, demo bool) access.Policy {
	p := access.DefaultPolicy()
	p.MaxFailures = cfg.LockoutFailures
	p.LockFor = time.Duration(cfg.LockoutMinutes) * time.Minute
	p.PasswordMaxAge = time.Duration(cfg.PasswordMaxAgeDays) * 24 * time.Hour
	p.SkipMFA = demo
	return p
}

// handler assembles the pages, the API and the middleware, and returns the
// route table with every route's rule.
func handler(cfg config.Config, db *sqlstore.DB, demo bool, log *slog.Logger) (http.Handler, []server.Route, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, nil, err
	}
	trusted, err := server.ParseTrusted(cfg.TrustedProxies)
	if err != nil {
		return nil, nil, err
	}
	pol := policy(cfg, demo)
	auth, users, limits := db.Auth(pol), db.Users(pol), server.NewLimits(time.Now)
	tls := cfg.TLSCert != ""
	rev, err := reviewService(db)
	if err != nil {
		return nil, nil, err
	}
	w, err := web.New(web.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Users: users, Audit: db.Audit(), Ledger: db.Ledger(),
		Awards: db.Awards(rev), Review: rev, Schemes: db.Schemes(), Rankings: db.Rankings(), Periods: db.Periods(), Market: db.Market(), Talent: db.Talent(rev), Photos: db.Photos(), Limits: limits,
		Log: log, Demo: demo, TLS: tls, MaxUpload: int64(cfg.MaxUploadMB) << 20, Now: time.Now})
	if err != nil {
		return nil, nil, err
	}
	a := api.New(api.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Audit: db.Audit(),
		Awards: db.Awards(rev), Ledger: db.Ledger(), Rankings: db.Rankings(), Review: rev, Talent: db.Talent(rev), Market: db.Market(), Photos: db.Photos(), Limits: limits, Log: log})
	rt := &server.Router{Mux: http.NewServeMux()}
	w.Routes(rt)
	a.Routes(rt)
	return server.Middleware(rt.Mux, auth, log, server.Options{TLS: tls, Trusted: trusted, Secret: rt.SecretPrefixes()}), rt.Routes, nil
}

func listenAndServe(ctx context.Context, cfg config.Config, db *sqlstore.DB, demo bool, stdout, stderr io.Writer) error {
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogJSON {
		h = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(h)
	hd, _, err := handler(cfg, db, demo, log)
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
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "shanzhi listening on %s://%s/\n", scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
	go purgeAudit(ctx, db, time.Duration(cfg.AuditRetentionDays)*24*time.Hour, log)
	rev, err := reviewService(db)
	if err != nil {
		return err
	}
	// The scheduler finalises notices whose window closed; several
	// servers on one PostgreSQL database may all run it, since finalising
	// is a conditional update that only one of them wins.
	sched := &review.Scheduler{F: rev, Report: logRuns(log, "review scheduler", "finalised")}
	go sched.Run(ctx)
	// The ledger calendar: each village's base score for the period and
	// the close of the year just ended, checked every ten minutes; both
	// are keyed in the database, so restarts and several servers are safe.
	cal := &review.Scheduler{F: db.PeriodJobs(), Every: 10 * time.Minute, Report: logRuns(log, "ledger calendar", "postings")}
	go cal.Run(ctx)
	// Photos uploaded for an award that was never recorded go after a day.
	purge := &review.Scheduler{F: db.Photos(), Every: time.Hour, Report: logRuns(log, "photo purge", "photos")}
	go purge.Run(ctx)
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

// purgeAudit drops audit rows past the retention period once a day; the
// chain's anchor moves with it, so verification keeps working.
func purgeAudit(ctx context.Context, db *sqlstore.DB, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if n, err := db.PurgeAudit(ctx, retention); err != nil && ctx.Err() == nil {
			log.Error("audit purge", "err", err)
		} else if n > 0 {
			log.Info("audit purge", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reviewService is the review engine with every module's flows and the
// appliers that act when an item ends.
func reviewService(db *sqlstore.DB) (*sqlstore.ReviewService, error) {
	flows, err := review.NewFlows(points.Flow(), talent.ReviewFlow())
	if err != nil {
		return nil, err
	}
	return db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier(), talent.Flow: db.TalentApplier()}), nil
}
