package main

import (
	"context"
	"fmt"
	"io"

	"shanzhi/internal/config"
)

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, true, stdout)
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
	cfg, _, err := config.Load("verify", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("audit chain broken at row %d: %s", problem.ID, problem.Reason)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d rows\n", rows)
	return nil
}
