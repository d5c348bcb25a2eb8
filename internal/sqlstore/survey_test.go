package sqlstore_test

import (
	"context"
	"math"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/survey"
	"shanzhi/internal/synth"
)

// The survey actors: the organisation departments of 科尔沁镇 and of the
// sibling township, and a banner leader who reads the figures.
var (
	svTown    = &access.Actor{UserID: 401, Username: "zzb-survey", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
	svSibling = &access.Actor{UserID: 402, Username: "zzb-sibling", Grants: []access.Grant{{Role: access.OrgStaff, Region: daShiZai}}}
	svLeader  = &access.Actor{UserID: 403, Username: "leader-survey", Grants: []access.Grant{{Role: access.Leader, Region: qianqi}}}
)

func vals(kv ...string) map[string][]string {
	out := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = append(out[kv[i]], kv[i+1])
	}
	return out
}

func TestSurveyLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Surveys()
		in := survey.Input{Region: keerqin, Title: "物业满意度", Anonymous: false, Questions: []survey.Question{
			{Key: "area", Kind: survey.Single, Label: "小区", Required: true, Options: []survey.Option{{Key: "a", Label: "东区"}, {Key: "b", Label: "西区"}}},
			{Key: "help", Kind: survey.Multiple, Label: "需要的服务", Options: []survey.Option{{Key: "clean", Label: "保洁"}, {Key: "fix", Label: "维修"}, {Key: "old", Label: "助老"}}},
			{Key: "score", Kind: survey.Rating, Label: "满意度", Required: true},
			{Key: "age", Kind: survey.Number, Label: "年龄", Min: 18, Max: 100},
			{Key: "say", Kind: survey.Text, Label: "意见"},
		}}
		for name, c := range map[string]struct {
			in   survey.Input
			code fault.Code
		}{
			"sibling's region": {survey.Input{Region: daShiZai, Title: "x"}, fault.Forbidden},
			"no title":         {survey.Input{Region: keerqin}, fault.Invalid},
			"one option": {survey.Input{Region: keerqin, Title: "x", Questions: []survey.Question{
				{Key: "q", Kind: survey.Single, Label: "问", Options: []survey.Option{{Key: "a", Label: "甲"}}}}}, fault.Invalid},
			"key twice": {survey.Input{Region: keerqin, Title: "x", Questions: []survey.Question{
				{Key: "q", Kind: survey.Text, Label: "问"}, {Key: "q", Kind: survey.Text, Label: "再问"}}}, fault.Invalid},
			"bad range": {survey.Input{Region: keerqin, Title: "x", Questions: []survey.Question{
				{Key: "q", Kind: survey.Number, Label: "问", Min: 5, Max: 1}}}, fault.Invalid},
		} {
			if _, err := s.Create(ctx, svTown, c.in, ""); fault.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		sv, err := s.Create(ctx, svTown, in, "")
		if err != nil {
			t.Fatal(err)
		}
		if sv.Status != survey.Draft || sv.Token == "" || sv.RegionName == "" {
			t.Fatalf("created %+v", sv)
		}
		if _, err := s.Enter(ctx, svTown, sv.ID, survey.AnswerInput{Channel: survey.Phone, Respondent: "张三", Values: vals("area", "a", "score", "4")}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("answer to a draft: %v", err)
		}
		if _, err := s.Public(ctx, sv.Token); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a draft's public link: %v", err)
		}
		if sv, err = s.Publish(ctx, svTown, sv.ID); err != nil || sv.Version != 1 || sv.Status != survey.Open {
			t.Fatalf("publish: %v %+v", err, sv)
		}
		good := survey.AnswerInput{Channel: survey.Phone, Respondent: "张三", Values: vals("area", "a", "help", "clean", "help", "fix", "score", "4", "age", "４２", "say", "电梯常坏")}
		id1, err := s.Enter(ctx, svTown, sv.ID, good)
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			in    survey.AnswerInput
			field string
		}{
			"choice not offered":  {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "c", "score", "3")}, "q_area"},
			"required missing":    {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a")}, "q_score"},
			"number out of range": {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a", "score", "3", "age", "7")}, "q_age"},
			"not a number":        {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a", "score", "3", "age", "很老")}, "q_age"},
			"two singles":         {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a", "area", "b", "score", "3")}, "q_area"},
			"rating off scale":    {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a", "score", "6")}, "q_score"},
			"online by staff":     {survey.AnswerInput{Channel: survey.Online, Respondent: "李四", Values: vals("area", "a", "score", "3")}, "channel"},
			"no name":             {survey.AnswerInput{Channel: survey.Visit, Values: vals("area", "a", "score", "3")}, "respondent"},
			"unknown question":    {survey.AnswerInput{Channel: survey.Visit, Respondent: "李四", Values: vals("area", "a", "score", "3", "zzz", "1")}, "q_zzz"},
		} {
			_, err := s.Enter(ctx, svTown, sv.ID, c.in)
			var fe *fault.Error
			if !fault.Is(err, fault.Invalid) || !asFault(err, &fe) || !hasField(fe, c.field) {
				t.Errorf("%s: %v, want invalid on %s", name, err, c.field)
			}
		}
		if _, err := s.Enter(ctx, svSibling, sv.ID, good); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling enters: %v", err)
		}
		if _, err := s.Enter(ctx, svLeader, sv.ID, good); !fault.Is(err, fault.Forbidden) {
			t.Errorf("leader enters: %v", err)
		}
		if _, err := s.Analyze(ctx, svSibling, sv.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling reads figures: %v", err)
		}
		if got, err := s.Survey(ctx, svLeader, sv.ID); err != nil || got.Token != "" {
			t.Errorf("leader reads: %v, token shown %q", err, got.Token)
		}
		// A new version: answers keep the version they answered.
		in.Questions[1].Options = append(in.Questions[1].Options, survey.Option{Key: "park", Label: "停车"})
		if _, err := s.Update(ctx, svTown, sv.ID, in); err != nil {
			t.Fatal(err)
		}
		bad := in
		bad.Questions = append([]survey.Question{}, in.Questions...)
		bad.Questions[0].Kind = survey.Multiple
		if _, err := s.Update(ctx, svTown, sv.ID, bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("a question changes kind: %v", err)
		}
		if sv, err = s.Publish(ctx, svTown, sv.ID); err != nil || sv.Version != 2 {
			t.Fatalf("second version: %v", err)
		}
		pub, err := s.Public(ctx, sv.Token)
		if err != nil || pub.Questions != nil || len(pub.Live) != 5 {
			t.Fatalf("public: %v %+v", err, pub)
		}
		id2, err := s.AnswerPublic(ctx, sv.Token, survey.AnswerInput{Channel: survey.Phone, Respondent: "王五", Values: vals("area", "b", "help", "park", "score", "5")})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Answers(ctx, svTown, sv.ID)
		if err != nil || len(rows) != 2 {
			t.Fatalf("answers: %v %d", err, len(rows))
		}
		if r := rows[0]; r.ID != id1 || r.Version != 1 || r.Channel != survey.Phone || r.EnteredBy != "zzb-survey" || r.Respondent != "张三" || r.Values["help"] != "保洁、维修" || r.Values["age"] != "42" {
			t.Errorf("first answer %+v", r)
		}
		if r := rows[1]; r.ID != id2 || r.Version != 2 || r.Channel != survey.Online || r.EnteredBy != "" || r.Values["help"] != "停车" {
			t.Errorf("public answer %+v", r)
		}
		if sv, err = s.SetStatus(ctx, svTown, sv.ID, survey.Closed); err != nil {
			t.Fatal(err)
		}
		before := auditCount(t, db, "survey.answer")
		if _, err := s.AnswerPublic(ctx, sv.Token, survey.AnswerInput{Values: vals("area", "a", "score", "3")}); !fault.Is(err, fault.Invalid) {
			t.Errorf("answer to a closed survey: %v", err)
		}
		if n := auditCount(t, db, "survey.answer"); n != before || before != 2 {
			t.Errorf("audit entries %d then %d", before, n)
		}
		a, err := s.Analyze(ctx, svLeader, sv.ID)
		if err != nil || a.Total != 2 {
			t.Fatalf("analysis %v %+v", err, a)
		}
		if st := a.Questions[2]; st.Answered != 2 || st.Mean != 4.5 || st.Min != 4 || st.Max != 5 {
			t.Errorf("rating %+v", st)
		}
		if st := a.Questions[3]; st.Answered != 1 || st.Mean != 42 {
			t.Errorf("number %+v", st)
		}
		if st := a.Questions[4]; len(st.Texts) != 1 || st.Texts[0] != "电梯常坏" {
			t.Errorf("text %+v", st)
		}
	})
}

func hasField(fe *fault.Error, name string) bool {
	for _, f := range fe.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// TestSurveySeed enters the seed's 1,113 needs samples across the four
// channels, online ones through the public link, and checks every figure
// of the analysis, the cross-tabulation, the quotas and the ranked list
// against counts made independently: in Go from the answers as generated,
// and by raw SQL over the stored answers.
func TestSurveySeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Surveys()
		sv, err := s.Create(ctx, svTown, survey.Input{Region: keerqin}, survey.TemplateNeeds)
		if err != nil {
			t.Fatal(err)
		}
		if sv, err = s.Publish(ctx, svTown, sv.ID); err != nil {
			t.Fatal(err)
		}
		answers := synth.New(7, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).NeedsAnswers(1113)
		var staff []survey.AnswerInput
		// The respondents come from an address the audit must not keep
		// beside their anonymous answers.
		from := access.WithRequest(ctx, access.Request{ID: "req-1", Client: "203.0.113.7"})
		for _, in := range answers {
			if in.Channel == survey.Online {
				if _, err := s.AnswerPublic(from, sv.Token, in); err != nil {
					t.Fatal(err)
				}
				continue
			}
			staff = append(staff, in)
		}
		if n, err := s.EnterMany(ctx, svTown, sv.ID, staff); err != nil || n != len(staff) {
			t.Fatalf("batch: %d %v", n, err)
		}
		// Go's own tallies of what was generated.
		channels := map[survey.Channel]int{}
		options := map[string]map[string]int{}
		type stratum struct{ r, s string }
		strata := map[stratum]int{}
		named := map[stratum]map[string]int{}
		cross := map[[2]string]int{}
		for _, in := range answers {
			channels[in.Channel]++
			for q, vs := range in.Values {
				if options[q] == nil {
					options[q] = map[string]int{}
				}
				for _, v := range vs {
					options[q][v]++
				}
			}
			st := stratum{in.Values[survey.NeedsRank][0], in.Values[survey.NeedsSector][0]}
			strata[st]++
			if named[st] == nil {
				named[st] = map[string]int{}
			}
			for _, c := range in.Values[survey.NeedsLacking] {
				named[st][c]++
				cross[[2]string{st.r, c}]++
			}
		}
		sql := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.RawRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		entries, n, err := db.Audit().Entries(ctx, orgAuditor, audit.Filter{Action: "survey.answer", Limit: 20})
		if err != nil || n != channels[survey.Online]+1 || len(entries) == 0 {
			t.Fatalf("audit: %v, %d entries for %d online answers and a batch", err, n, channels[survey.Online])
		}
		for _, e := range entries {
			if e.Client != "" {
				t.Fatalf("an anonymous answer's audit row keeps the address %q", e.Client)
			}
		}
		a, err := s.Analyze(ctx, svLeader, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total != 1113 || sql(`SELECT count(*) FROM survey_answers WHERE survey_id = ?`, sv.ID) != 1113 {
			t.Fatalf("total %d", a.Total)
		}
		for _, c := range a.Channels {
			if c.Count != channels[c.Channel] || c.Count != sql(`SELECT count(*) FROM survey_answers WHERE survey_id = ? AND channel = ?`, sv.ID, string(c.Channel)) || c.Count == 0 {
				t.Errorf("channel %s: %d, generated %d", c.Channel, c.Count, channels[c.Channel])
			}
		}
		if n := sql(`SELECT count(*) FROM survey_answers WHERE survey_id = ? AND channel = 'online' AND (entered_by IS NOT NULL OR respondent <> '')`, sv.ID); n != 0 {
			t.Errorf("%d online answers carry a person", n)
		}
		if n := sql(`SELECT count(*) FROM survey_answers WHERE survey_id = ? AND channel <> 'online' AND entered_by = ?`, sv.ID, svTown.UserID); n != len(staff) {
			t.Errorf("%d staff answers marked with who entered them, want %d", n, len(staff))
		}
		figures := 0
		for _, st := range a.Questions {
			for _, o := range st.Options {
				want := sql(`SELECT count(*) FROM survey_answers sa WHERE sa.survey_id = ? AND EXISTS (SELECT 1 FROM survey_items si WHERE si.answer_id = sa.id AND si.question = ? AND si.choice = ?)`,
					sv.ID, st.Question.Key, o.Key)
				if o.Count != want || o.Count != options[st.Question.Key][o.Key] {
					t.Errorf("%s/%s: %d, raw SQL %d, generated %d", st.Question.Key, o.Key, o.Count, want, options[st.Question.Key][o.Key])
				}
				if math.Abs(o.Share-float64(o.Count)/float64(st.Answered)) > 1e-9 {
					t.Errorf("%s/%s share %f", st.Question.Key, o.Key, o.Share)
				}
				figures++
			}
			if want := sql(`SELECT count(DISTINCT answer_id) FROM survey_items WHERE survey_id = ? AND question = ?`, sv.ID, st.Question.Key); st.Answered != want {
				t.Errorf("%s answered %d, raw %d", st.Question.Key, st.Answered, want)
			}
		}
		if figures < 30 {
			t.Fatalf("only %d option figures checked", figures)
		}
		ct, err := s.Cross(ctx, svTown, sv.ID, survey.NeedsRank, survey.NeedsLacking)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range ct.Row.Choices() {
			for j, c := range ct.Col.Choices() {
				if ct.Counts[i][j] != cross[[2]string{r.Key, c.Key}] {
					t.Errorf("cross %s×%s: %d, generated %d", r.Key, c.Key, ct.Counts[i][j], cross[[2]string{r.Key, c.Key}])
				}
			}
		}
		if _, err := s.Cross(ctx, svTown, sv.ID, survey.NeedsRank, survey.NeedsNote); !fault.Is(err, fault.Invalid) {
			t.Errorf("cross with a text question: %v", err)
		}
		list, err := s.NeedsRanking(ctx, svTown, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		items := 0
		for _, m := range named {
			items += len(m)
		}
		if len(list) != items {
			t.Fatalf("ranked %d items, generated %d", len(list), items)
		}
		for i, it := range list {
			st := stratum{it.RankKey, it.SectorKey}
			if it.Respondents != strata[st] || it.Count != named[st][it.Key] || math.Abs(it.Share-float64(it.Count)/float64(it.Respondents)) > 1e-9 || it.Rank == "" || it.Competency == "" {
				t.Errorf("item %+v: stratum %d, named %d", it, strata[st], named[st][it.Key])
			}
			if i > 0 && list[i-1].RankKey == it.RankKey && list[i-1].SectorKey == it.SectorKey {
				if prev := list[i-1]; prev.Count < it.Count || prev.Count == it.Count && prev.Place != it.Place || prev.Count > it.Count && it.Place <= prev.Place {
					t.Errorf("order: %+v before %+v", prev, it)
				}
			} else if it.Place != 1 {
				t.Errorf("first of its stratum at place %d", it.Place)
			}
		}
		if list[0].Rank != "县处级" || list[0].Sector != "党政机关" {
			t.Errorf("first stratum %s %s", list[0].Rank, list[0].Sector)
		}
		var quotas []survey.Quota
		for _, r := range survey.Ranks {
			for _, c := range survey.Sectors {
				quotas = append(quotas, survey.Quota{Cell: []string{r.Key, c.Key}, Target: 50})
			}
		}
		smp, err := s.SetQuotas(ctx, svTown, sv.ID, survey.NeedsStrata, quotas)
		if err != nil {
			t.Fatal(err)
		}
		if len(smp.Quotas) != 15 || smp.Target != 750 {
			t.Fatalf("sampling %+v", smp)
		}
		got := 0
		for _, q := range smp.Quotas {
			if q.Got != strata[stratum{q.Cell[0], q.Cell[1]}] {
				t.Errorf("quota %v: %d, generated %d", q.Cell, q.Got, strata[stratum{q.Cell[0], q.Cell[1]}])
			}
			got += min(q.Got, q.Target)
		}
		if smp.Got != got {
			t.Errorf("sampling got %d, want %d", smp.Got, got)
		}
		for name, c := range map[string]struct {
			strata []string
			quotas []survey.Quota
		}{
			"text stratum":   {[]string{survey.NeedsNote}, nil},
			"three strata":   {[]string{survey.NeedsRank, survey.NeedsSector, survey.NeedsMode}, nil},
			"unknown option": {[]string{survey.NeedsRank}, []survey.Quota{{Cell: []string{"mayor"}, Target: 5}}},
			"zero target":    {[]string{survey.NeedsRank}, []survey.Quota{{Cell: []string{"county"}, Target: 0}}},
		} {
			if _, err := s.SetQuotas(ctx, svTown, sv.ID, c.strata, c.quotas); !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		bad := answers[:3:3]
		bad = append(bad, survey.AnswerInput{Channel: survey.Visit, Values: vals(survey.NeedsRank, "county")})
		if _, err := s.EnterMany(ctx, svTown, sv.ID, bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("a batch with a bad answer: %v", err)
		}
		if n := sql(`SELECT count(*) FROM survey_answers WHERE survey_id = ?`, sv.ID); n != 1113 {
			t.Errorf("the refused batch left %d answers", n-1113)
		}
		t.Logf("%d option figures, %d cross cells, %d ranked items checked", figures, len(ct.Counts)*len(ct.Counts[0]), len(list))
	})
}

// BenchmarkSurveyAnalysis measures the analysis of a needs survey of
// 10,000 answers: every option count, the rank × competency
// cross-tabulation and the ranked list, as the analysis page draws them.
func BenchmarkSurveyAnalysis(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			s := db.Surveys()
			sv, err := s.Create(ctx, svTown, survey.Input{Region: keerqin}, survey.TemplateNeeds)
			if err == nil {
				sv, err = s.Publish(ctx, svTown, sv.ID)
			}
			if err != nil {
				b.Fatal(err)
			}
			answers := synth.New(11, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).NeedsAnswers(10000)
			if err := s.SeedAnswers(ctx, svTown, sv.ID, answers); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				a, err := s.Analyze(ctx, svTown, sv.ID)
				if err != nil || a.Total != 10000 {
					b.Fatal(err, a.Total)
				}
				if _, err := s.Cross(ctx, svTown, sv.ID, survey.NeedsRank, survey.NeedsLacking); err != nil {
					b.Fatal(err)
				}
				if _, err := s.NeedsRanking(ctx, svTown, sv.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/analysis")
		})
	}
}
