package talentsheet_test

import (
	"testing"

	"shanzhi/internal/i18n"
	"shanzhi/internal/talent"
	"shanzhi/internal/talentsheet"
)

// TestQuotasAndScores reads a quota sheet by the labels officials see and
// a scoring sheet where only some rows are filled in.
func TestQuotasAndScores(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	zh := func(k string) string { return cat.T(i18n.ZH, k) }
	qs, err := talentsheet.Quotas("q.csv", []byte("区划代码,地区,名额类型,名额\n152221000000,科右前旗,向上推荐名额,30\n152200000000,,盟级带头人名额,5\n152200000000,,某种名额,5\n152222000000,科右中旗,向上推荐名额,\n"), 1<<20, zh)
	if err != nil || len(qs) != 4 {
		t.Fatalf("%d rows: %v", len(qs), err)
	}
	if qs[0].Err != nil || qs[0].Quota.Kind != talent.QuotaPass || qs[0].Quota.N != 30 || qs[1].Err != nil || qs[1].Quota.Kind != talent.TierQuota(talent.TierLeague) {
		t.Fatalf("good rows %+v %+v", qs[0], qs[1])
	}
	if qs[2].Err == nil || qs[3].Err == nil {
		t.Fatalf("an unknown kind and an empty quota passed: %v %v", qs[2].Err, qs[3].Err)
	}
	crit := talent.DefaultCriteria()
	head := "申报编号,姓名,所属嘎查村"
	for _, c := range crit {
		head += "," + c.Name
	}
	ss, err := talentsheet.Scores("s.csv", []byte(head+",评语\n7,王晓景,平安村,18,17,16,19,15,好\n8,李四,平安村,,,,,,\nx,张三,平安村,1,1,1,1,1,\n"), 1<<20, crit)
	if err != nil || len(ss) != 2 {
		t.Fatalf("%d rows (a blank row is skipped): %v", len(ss), err)
	}
	if ss[0].Err != nil || ss[0].Candidate != 7 || ss[0].Points[4] != 15 || ss[0].Comment != "好" || ss[1].Err == nil {
		t.Fatalf("rows %+v %+v", ss[0], ss[1])
	}
}
