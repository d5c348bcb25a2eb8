package main

import (
	"context"
	"fmt"
	"io"
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
	fmt.Fprintf(stdout, "database %s is at %d migrations (latest %s)\n", db.Dialect(), len(names), names[len(names)-1])
	return nil
}

func cmdVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, db, err := loadAndOpen(ctx, "verify", args, getenv, stdout, stderr, false)
	if err != nil {
		return err
	}
	defer db.Close()
	// The engine's own check comes first: on a damaged file the chains'
	// verdicts mean little. Its findings are printed now and fail the
	// command at the end, after the chains have had their say.
	checked := verifyChecks(ctx, db, stdout, cliText(getenv))
	rows, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("audit chain broken at row %d: %s", problem.ID, problem.Reason)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d rows\n", rows)
	problems, err := db.Ledger().Verify(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "points ledger of %s, entry %d: %s\n", p.Village, p.Seq, p.Reason)
	}
	if len(problems) > 0 {
		return fmt.Errorf("points ledger: %d problems", len(problems))
	}
	fmt.Fprintln(stdout, "points ledgers intact: every chain verifies and every balance equals its entries")
	// The supermarket's books against themselves and the ledger: a
	// redemption half applied would show here.
	bad, err := db.Market().Verify(ctx)
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintln(stdout, "points supermarket:", b)
	}
	if len(bad) > 0 {
		return fmt.Errorf("points supermarket: %d problems", len(bad))
	}
	fmt.Fprintln(stdout, "points supermarket intact: stock equals its movements, every redemption its lines and its ledger debit")
	return checked
}
