package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/api"
	"shanzhi/internal/config"
	"shanzhi/internal/honour"
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
	if err := firstAdmins(ctx, db, cfg.DataDir, stdout, cliText(getenv)); err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, db, false, stdout, stderr)
}

// firstAdmins creates the three administrators on a database without
// users: there is never an account with a known default password, and the
// duties stay separate from the first minute. Their one-time passwords go
// to the terminal when there is one; under a service manager, whose log
// keeps whatever the server prints, they go to a file only the server's
// account can read, and the log names the file.
func firstAdmins(ctx context.Context, db *sqlstore.DB, dataDir string, stdout io.Writer, t func(string, ...any) string) error {
	admins := []sqlstore.FirstAdmin{
		{Username: "admin", Display: "系统管理员", Grant: access.Grant{Role: access.SysAdmin, Region: province}},
		{Username: "security", Display: "安全管理员", Grant: access.Grant{Role: access.SecAdmin, Region: province}},
		{Username: "auditor", Display: "审计管理员", Grant: access.Grant{Role: access.AuditAdmin, Region: province}},
	}
	var list strings.Builder
	for i := range admins {
		admins[i].Password = password.Random()
		fmt.Fprintf(&list, "created %s (%s) with one-time password %s\n", admins[i].Username, admins[i].Display, admins[i].Password)
	}
	list.WriteString("each must be changed at first sign-in, with an authenticator app for the second factor\n")
	created, err := db.CreateFirstAdmins(ctx, admins)
	if err != nil || !created {
		return err
	}
	if isTerminal(stdout) {
		_, err := io.WriteString(stdout, list.String())
		return err
	}
	name := filepath.Join(dataDir, "first-admins-"+time.Now().Format("20060102-150405")+".txt")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(name, []byte(list.String()), 0o600); err != nil {
		return fmt.Errorf("%s: %w", t("serve.first_admins_unwritable", name), err)
	}
	fmt.Fprintln(stdout, t("serve.first_admins_file", name))
	return nil
}

// isTerminal reports whether w is a terminal, where a person reads what is
// printed and no log keeps it.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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

// limitSettings turns the configuration into the failure limits.
func limitSettings(cfg config.Config) server.LimitSettings {
	return server.LimitSettings{LoginPerIP: cfg.LoginFailuresPerIP, LoginPerUser: cfg.LoginFailuresPerAccount,
		CodePerIP: cfg.CodeFailuresPerIP, Window: time.Duration(cfg.FailureWindowMinutes) * time.Minute}
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
	auth, users, limits := db.Auth(pol), db.Users(pol), server.NewLimits(time.Now, limitSettings(cfg))
	rev, err := reviewService(db)
	if err != nil {
		return nil, nil, err
	}
	w, err := web.New(web.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Users: users, Audit: db.Audit(), Ledger: db.Ledger(),
		Awards: db.Awards(rev), Review: rev, Schemes: db.Schemes(), Rankings: db.Rankings(), Periods: db.Periods(), Market: db.Market(), Talent: db.Talent(rev), Org: db.Org(), Cadres: db.Cadres(), Training: db.Training(), Surveys: db.Surveys(), Photos: db.Photos(), Honours: db.Honours(rev), Funds: db.Funds(), Privileges: db.Privileges(), Credit: db.Credit(), NoticeCode: db.NoticeCodeText, Limits: limits,
		Log: log, Demo: demo, MaxUpload: int64(cfg.MaxUploadMB) << 20, Now: time.Now})
	if err != nil {
		return nil, nil, err
	}
	a := api.New(api.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Users: users, Audit: db.Audit(),
		Awards: db.Awards(rev), Ledger: db.Ledger(), Rankings: db.Rankings(), Review: rev, Schemes: db.Schemes(), Talent: db.Talent(rev), Org: db.Org(), Cadres: db.Cadres(), Training: db.Training(), Surveys: db.Surveys(), Market: db.Market(), Photos: db.Photos(), Honours: db.Honours(rev), Funds: db.Funds(), Privileges: db.Privileges(), Credit: db.Credit(), Limits: limits, Log: log})
	rt := &server.Router{Mux: http.NewServeMux()}
	w.Routes(rt)
	a.Routes(rt)
	return server.Middleware(rt.Mux, auth, log, server.Options{Trusted: trusted, Secret: rt.SecretPrefixes()}), rt.Routes, nil
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
	// The lease tells rotate-key and restore, which may run on another
	// machine, that this server uses the database.
	lease, err := db.StartLease(ctx, ln.Addr().String())
	if err != nil {
		ln.Close()
		return err
	}
	defer lease.Close()
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
	go anchorDaily(ctx, db, cfg.AnchorDir, log)
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
	flows, err := review.NewFlows(points.Flow(), points.AppealReviewFlow(), talent.ReviewFlow(), honour.Flow())
	if err != nil {
		return nil, err
	}
	return db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier(), talent.Flow: db.TalentApplier(), honour.NominationFlow: db.HonourApplier()}), nil
}
