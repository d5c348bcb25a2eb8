package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/procmem"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/sheet"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/synth"
)

// registerSheet writes an .xlsx register of about n synthetic residents
// spread over the villages of 科尔沁右翼前旗, shaped like the export
// officials keep (title, 填报单位, header on row 3, 所属村 by code).
func registerSheet(b *testing.B, villages []string, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	cols := []sheet.Column{{Header: "户号"}, {Header: "所属村"}, {Header: "家庭住址"}, {Header: "姓名"}, {Header: "蒙古文姓名"}, {Header: "性别"},
		{Header: "民族"}, {Header: "出生日期", Kind: sheet.Date}, {Header: "身份证号"}, {Header: "手机号"}, {Header: "与户主关系"}, {Header: "政治面貌"}}
	w, err := sheet.NewWriter(&buf, sheet.Table{Title: "科尔沁右翼前旗户籍台账", Unit: "科尔沁右翼前旗", Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Columns: cols})
	if err != nil {
		b.Fatal(err)
	}
	gen := synth.New(7, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	rows := 0
	for i := 0; rows < n; i++ {
		v := villages[i%len(villages)]
		h := gen.Household(v, fmt.Sprintf("%05d", i/len(villages)+1), 0.45)
		for _, m := range h.Members {
			if err := w.Write(h.Input.Number, v, h.Input.Address, m.Name, m.NameMongol, string(m.Gender), m.Ethnicity, m.BirthDate, m.IDNumber, m.Phone, m.Relation, m.Political); err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImportXLSX stages and imports a register into an empty store:
// sheet parsing, validation, sealing, pinyin keys and every insert, in the
// one transaction a confirmed import is. It reports residents per second
// and the peak resident set during the import.
func BenchmarkImportXLSX(b *testing.B) {
	n := storetest.BenchSize(b)
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			var data []byte
			var rows int
			base := 0
			for b.Loop() {
				b.StopTimer()
				db := storetest.MustOpen(b, engine)
				if data == nil {
					var villages []string
					kids, err := db.Regions().Children(ctx, admin, qianqi)
					if err != nil {
						b.Fatal(err)
					}
					for _, t := range kids {
						vs, _ := db.Regions().Children(ctx, admin, t.Code)
						for _, v := range vs {
							if regioncode.LevelOf(v.Code) == regioncode.Village {
								villages = append(villages, v.Code)
							}
						}
					}
					data = registerSheet(b, villages, n)
				}
				base = procmem.ResetPeak()
				b.StartTimer()
				batch, err := db.Registry().StageImport(ctx, admin, qianqi, "register.xlsx", data)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := db.Registry().RunImport(ctx, admin, batch, registry.All)
				if err != nil {
					b.Fatalf("%v: %+v", err, rep.Problems)
				}
				rows = rep.NewResidents
			}
			b.StopTimer()
			if rows < n {
				b.Fatalf("imported %d residents, want %d", rows, n)
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds()*float64(b.N), "residents/s")
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
			if peak := procmem.PeakKB(); peak > 0 && base > 0 {
				b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
			}
		})
	}
}
