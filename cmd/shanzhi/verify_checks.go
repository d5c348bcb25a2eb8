package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"shanzhi/internal/i18n"
	"shanzhi/internal/sqlstore"
)

// verifyChecks runs verify's checks besides the chains: the engine's own
// integrity check, every keyed hash against its sealed value, the rules
// between tables, and the fundraising ledgers' chains. It prints each check's result, naming every
// problem (up to a bound), and fails when any check found one.
func verifyChecks(ctx context.Context, db *sqlstore.DB, stdout io.Writer, t func(string, ...any) string) error {
	render := func(m i18n.Msg) string { return t(m.Key, m.Args...) }
	total := 0
	for _, check := range []func(context.Context) (sqlstore.Findings, error){db.EngineCheck, db.KeyedHashCheck, db.CrossTableCheck, db.FundCheck} {
		f, err := check(ctx)
		if err != nil {
			return err
		}
		if f.Count == 0 {
			fmt.Fprintln(stdout, t("verify.check_ok", render(f.Checked)))
			continue
		}
		total += f.Count
		fmt.Fprintln(stdout, t("verify.check_failed", render(f.Checked), f.Count))
		for _, p := range f.Problems {
			fmt.Fprintln(stdout, "  - "+render(p))
		}
		if more := f.Count - len(f.Problems); more > 0 {
			fmt.Fprintln(stdout, "  "+t("verify.more", more))
		}
	}
	if total > 0 {
		return errors.New(t("verify.failed", total))
	}
	return nil
}
