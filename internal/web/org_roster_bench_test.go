package web

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/procmem"
	"shanzhi/internal/sheet"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkRosterImportXLSX imports a league's national roster (members
// spread over one branch for five of them) into a register with its
// organisations and no members yet: the sheet read as the page reads it,
// every row checked, sealed and written in the one transaction 导入 is.
// It reports members per second and the peak resident set.
func BenchmarkRosterImportXLSX(b *testing.B) {
	n := storetest.BenchSize(b)
	league := &access.Actor{Username: "zzb-xingan", Grants: []access.Grant{{Role: access.OrgStaff, Region: "152200000000"}}}
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			w := &Web{Deps: Deps{MaxUpload: 256 << 20}}
			var data []byte
			base := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				db := storetest.MustOpen(b, engine)
				rep, err := db.GenerateOrgs(ctx, sqlstore.GenOrgSpec{League: "152200000000", Orgs: n / 5, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				w.Org = db.Org()
				if data == nil {
					data = rosterSheet(b, rep.BranchNames, n)
				}
				base = procmem.ResetPeak()
				cpu0 := procmem.CPU()
				b.StartTimer()
				rows, err := w.readRoster("roster.xlsx", data)
				if err != nil {
					b.Fatal(err)
				}
				_, sum, err := w.Org.ImportRoster(ctx, league, "", rows, true)
				if err != nil {
					b.Fatal(err)
				}
				cpu += procmem.CPU() - cpu0
				if sum.New != n || sum.Refused != 0 {
					b.Fatalf("imported %+v of %d", sum, n)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "members/s")
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
			// The CPU the import used, which a shared machine's load does
			// not stretch as it does the elapsed time.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			if peak := procmem.PeakKB(); peak > 0 && base > 0 {
				b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
			}
		})
	}
}

// rosterSheet writes the national roster of n synthetic members over the
// generated branches.
func rosterSheet(b *testing.B, names []string, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: "党员花名册", Unit: "兴安盟", Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Columns: rosterHeader()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := xw.Write(fmt.Sprintf("党员%d", i), "男", sqlstore.GenMemberID(i), "蒙古族", "", "高中", "正式党员", names[i%len(names)], "2000-07-01", "2001-07-01",
			"农牧民", fmt.Sprintf("139%08d", i), "嘎查一组", "", "1999-03-01"); err != nil {
			b.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
