package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"shanzhi/internal/config"
)

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, db, err := loadAndOpen(ctx, "migrate", args, getenv, stdout, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	names, err := db.Applied(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, cliText(getenv)("cli.migrated", string(db.Dialect()), len(names), names[len(names)-1]))
	return nil
}

func cmdVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	args, vf, err := parseVerifyFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, files, err := config.Load("verify", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	// The engine's own check comes first: on a damaged file the chains'
	// verdicts mean little. Its findings are printed now and fail the
	// command at the end, after the chains have had their say.
	t := cliText(getenv)
	checked := verifyChecks(ctx, db, stdout, t)
	rows, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return errors.New(t("verify.audit_broken", problem.String()))
	}
	fmt.Fprintln(stdout, t("verify.audit_intact", rows))
	problems, err := db.Ledger().Verify(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, t("verify.ledger_problem", p.Village, p.Seq, p.Reason))
	}
	if len(problems) > 0 {
		return errors.New(t("verify.ledger_failed", len(problems)))
	}
	fmt.Fprintln(stdout, t("verify.ledger_intact"))
	// The supermarket's books against themselves and the ledger: a
	// redemption half applied would show here.
	bad, err := db.Market().Verify(ctx)
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintln(stdout, t("verify.market_problem", b))
	}
	if len(bad) > 0 {
		return errors.New(t("verify.market_failed", len(bad)))
	}
	fmt.Fprintln(stdout, t("verify.market_intact"))
	if vf.anchors {
		if err := verifyAnchors(ctx, db, files, stdout); err != nil {
			return err
		}
	}
	if vf.code != "" {
		if err := verifyCode(ctx, db, vf.code, stdout); err != nil {
			return err
		}
	}
	return checked
}
