package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/password"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/survey"
	"shanzhi/internal/training"
)

// demoCadreNames are the demo township's cadres, by post.
var demoCadreNames = []string{"包金山", "乌云其木格", "李建国", "那仁满都拉", "王淑芬", "宝音图", "张志刚", "萨仁高娃", "刘海军", "额尔敦", "赵丽华", "其其格"}

// seedTraining gives the demo township its cadres, through the same store
// calls the 组织部 pages make: the township government's leaders and
// staff, and 平安村's 两委, whose former secretary left at the last 换届
// and handed the post to the present one.
func seedTraining(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	staff := &access.Actor{UserID: 990010, Username: "demo-orgstaff", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	svc := db.Cadres()
	units, _, err := db.Org().Units(ctx, staff, org.UnitFilter{Region: demoTownship, Query: "人民政府"})
	if err != nil || len(units) == 0 {
		return fmt.Errorf("demo cadres: no township government (%v)", err)
	}
	posts := []struct{ post, rank, sector string }{
		{"党委书记", "township", "党政"}, {"镇长", "township", "党政"}, {"党委副书记", "township", "党建"}, {"副镇长", "township", "农业农村"},
		{"组织委员", "township", "党建"}, {"副镇长", "township", "社会治理"}, {"党政办主任", "staff", "党政"}, {"农业农村办主任", "staff", "农业农村"},
		{"社会事务办干事", "staff", "社会治理"}, {"财政所干事", "staff", "经济"},
	}
	n := 0
	for i, p := range posts {
		if _, err := svc.CreateCadre(ctx, staff, org.CadreInput{Unit: units[0].ID, Name: demoCadreNames[i], Post: p.post, Rank: p.rank, Sector: p.sector,
			Appointed: fmt.Sprintf("%d-0%d-01", 2018+i%5, 1+i%9)}); err != nil {
			return fmt.Errorf("demo cadre %s: %w", demoCadreNames[i], err)
		}
		n++
	}
	old, err := svc.CreateCadre(ctx, staff, org.CadreInput{Region: demoVillage, Name: "白音仓", Post: "村党支部书记", Rank: "village", Sector: "党建", Appointed: "2018-01-15"})
	if err != nil {
		return err
	}
	succ, err := svc.CreateCadre(ctx, staff, org.CadreInput{Region: demoVillage, Name: demoCadreNames[10], Post: "村党支部书记", Rank: "village", Sector: "党建", Appointed: "2021-01-15"})
	if err != nil {
		return err
	}
	if _, err := svc.Leave(ctx, staff, old.ID, org.LeaveInput{Date: "2021-01-15", Reason: org.LeaveTerm, Successor: succ.ID}); err != nil {
		return err
	}
	if _, err := svc.CreateCadre(ctx, staff, org.CadreInput{Region: demoVillage, Name: demoCadreNames[11], Post: "村委会委员", Rank: "village", Sector: "社会治理", Appointed: "2021-01-15"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded demo cadres: %d of 科尔沁镇人民政府, 2 of 平安村 in post and 1 who left at the 2021 换届\n", n)
	if err := seedTrainingClass(ctx, db, staff, stdout); err != nil {
		return err
	}
	return seedTrainingRetakes(ctx, db, staff, stdout)
}

// seedTrainingClass drafts the township's 紧缺能力清单 from the demo's
// needs survey, publishes it, fills the teacher pool and the course
// catalogue, and sets up a 乡村振兴示范培训班 addressing the list's
// first items, with its sessions over five days.
func seedTrainingClass(ctx context.Context, db *sqlstore.DB, staff *access.Actor, stdout io.Writer) error {
	s := db.Training()
	ss, err := db.Surveys().List(ctx, staff, survey.Filter{Region: demoTownship})
	if err != nil {
		return err
	}
	var needs int64
	for _, x := range ss {
		if x.Template == survey.TemplateNeeds {
			needs = x.ID
		}
	}
	ranked, err := db.Surveys().NeedsRanking(ctx, staff, needs)
	if err != nil {
		return fmt.Errorf("demo list: %w", err)
	}
	ranks, err := db.Cadres().Ranks(ctx, staff)
	if err != nil {
		return err
	}
	codes := map[string]string{}
	for _, k := range ranks {
		codes[k.Name] = k.Code
	}
	var lines []training.Need
	for _, x := range ranked {
		lines = append(lines, training.Need{Rank: x.Rank, Sector: x.Sector, Competency: x.Competency, Place: x.Place})
	}
	l, err := s.CreateList(ctx, staff, training.ListInput{Region: demoTownship, Title: "科尔沁镇干部紧缺能力清单"})
	if err != nil {
		return err
	}
	var rows []training.ItemRow
	for _, r := range training.DraftItems(lines, codes, 3) {
		if r.Err == nil {
			rows = append(rows, r)
		}
	}
	if _, err := s.ImportItems(ctx, staff, l.ID, rows, true); err != nil {
		return err
	}
	if l, err = s.Publish(ctx, staff, l.ID); err != nil {
		return err
	}
	teacher, err := s.CreateTeacher(ctx, staff, training.TeacherInput{Region: demoTownship, Name: "乌力吉教授", Affiliation: "兴安盟委党校", Subjects: "乡村振兴、产业发展"})
	if err != nil {
		return err
	}
	guest, err := s.CreateTeacher(ctx, staff, training.TeacherInput{Region: demoTownship, Name: "陈红梅", Internal: true, Affiliation: "平安村党支部", Subjects: "孝亲敬老党建品牌"})
	if err != nil {
		return err
	}
	course, err := s.CreateCourse(ctx, staff, training.CourseInput{Region: demoTownship, Title: "乡村产业规划与招商", Competency: "产业发展", Mode: training.Lecture, Hours: 4, Teacher: teacher.ID})
	if err != nil {
		return err
	}
	var items []int64
	for _, it := range l.Items {
		if len(items) < 4 {
			items = append(items, it.ID)
		}
	}
	// The class ran last week, so its attendance is a finished record.
	start := time.Now().AddDate(0, 0, -10)
	day := func(k int) string { return start.AddDate(0, 0, k).Format(time.DateOnly) }
	c, err := s.CreateClass(ctx, staff, training.ClassInput{Region: demoTownship, Name: "乡村振兴示范培训班", Theme: "抓党建促乡村振兴",
		Target: "科尔沁镇乡科级干部和村两委成员", Start: day(0), End: day(4), Capacity: 80, HoursRequired: 20, Head: "keerqin-org", Escort: "组织部 李干事",
		List: l.ID, Items: items})
	if err != nil {
		return err
	}
	for k, x := range []training.SessionInput{
		{Starts: "08:30", Title: "开班式暨专题讲座", Course: course.ID, Teacher: teacher.ID, Place: "镇党校报告厅", Hours: 4},
		{Starts: "08:30", Title: "现场教学：平安村孝亲敬老", Teacher: guest.ID, Place: "平安村党群服务中心", Hours: 6},
		{Starts: "08:30", Title: "体验教学：产业园区", Place: "科尔沁镇产业园", Hours: 6},
		{Starts: "08:30", Title: "分组研讨", Teacher: teacher.ID, Place: "镇党校", Hours: 6},
		{Starts: "08:30", Title: "结业考核", Place: "镇党校", Hours: 4},
	} {
		x.Day = day(k)
		if _, err := s.AddSession(ctx, staff, c.ID, x); err != nil {
			return fmt.Errorf("demo session %s: %w", x.Title, err)
		}
	}
	// The 点名调训: the township's cadres in post of the 乡科级 and the
	// village's 两委, through the 入学关.
	var summoned []int64
	for _, rank := range []string{"township", "village"} {
		ts, err := s.Targets(ctx, staff, c.ID, training.TargetFilter{Rank: rank})
		if err != nil {
			return err
		}
		for _, t := range ts {
			summoned = append(summoned, t.ID)
		}
	}
	if _, err := s.Enrol(ctx, staff, c.ID, summoned); err != nil {
		return fmt.Errorf("demo summons: %w", err)
	}
	checked, err := seedAttendance(ctx, db, staff, c.ID)
	if err != nil {
		return fmt.Errorf("demo attendance: %w", err)
	}
	fmt.Fprintf(stdout, "loaded demo attendance: %d check-ins over the class's days\n", checked)
	count, certs, err := seedOutcomes(ctx, db, staff, c.ID)
	if err != nil {
		return fmt.Errorf("demo outcomes: %w", err)
	}
	fmt.Fprintf(stdout, "loaded demo outcomes: 优秀 %d, 合格 %d, 重修 %d, confirmed; %d certificates issued\n",
		count[training.Excellent], count[training.Pass], count[training.Retake], certs)
	fmt.Fprintf(stdout, "loaded demo training: the 紧缺能力清单 drafted from the needs survey (%d items, published), a class of 5 days addressing %d of them with %d cadres summoned\n", len(l.Items), len(items), len(summoned))
	return nil
}

// seedAttendance gives the demo class's trainees their links and checks
// them in at each session through its screen's code, as on the day: most
// on time, one a quarter-hour late, one on approved leave each day, and
// one ticked by the 班主任 whose phone had no signal.
func seedAttendance(ctx context.Context, db *sqlstore.DB, staff *access.Actor, class int64) (int, error) {
	s := db.Training()
	// The demo's staff actor names no stored account; the records name
	// nobody rather than a made-up id.
	staff = &access.Actor{Username: staff.Username, Grants: staff.Grants}
	links, err := s.IssueLinks(ctx, staff, class)
	if err != nil || len(links) < 3 {
		return 0, fmt.Errorf("links: %v (%d)", err, len(links))
	}
	c, err := s.Class(ctx, staff, class)
	if err != nil {
		return 0, err
	}
	clock := db.Now
	defer func() { db.Now = clock }()
	checked := 0
	for k, x := range c.Sessions {
		start, err := time.ParseInLocation("2006-01-02 15:04", x.Day+" "+x.Starts, localtime.Zone())
		if err != nil {
			return 0, err
		}
		away := links[k%len(links)]
		db.Now = func() time.Time { return start.Add(-12 * time.Hour) }
		l, err := s.RequestLeave(ctx, away.Token, x.ID, "村里防汛值班")
		if err != nil {
			return 0, err
		}
		if _, err := s.DecideLeave(ctx, staff, x.ID, l.ID, true); err != nil {
			return 0, err
		}
		var present []int64
		for i, t := range links {
			if t.Enrolment == away.Enrolment {
				continue
			}
			at := start.Add(time.Duration(i%5) * time.Minute)
			if i == len(links)-1 {
				at = start.Add(15 * time.Minute)
			}
			db.Now = func() time.Time { return at }
			sc, err := s.ScreenCode(ctx, staff, x.ID)
			if err != nil {
				return 0, err
			}
			how := training.ByQR
			if i%4 == 1 {
				how = training.ByCode
			}
			if i == 1 && k == 0 {
				present = append(present, t.Enrolment) // no signal: ticked by hand below
				continue
			}
			if _, err := s.CheckIn(ctx, t.Token, sc.Code, how); err != nil {
				return 0, err
			}
			present = append(present, t.Enrolment)
			checked++
		}
		db.Now = func() time.Time { return start.Add(30 * time.Minute) }
		if _, err := s.MarkRoll(ctx, staff, x.ID, present); err != nil {
			return 0, err
		}
		// Most of those present rate the session's teacher that evening.
		if x.Teacher == 0 {
			continue
		}
		db.Now = func() time.Time { return start.Add(10 * time.Hour) }
		for i, t := range links {
			if i%3 == 2 || !slices.Contains(present, t.Enrolment) {
				continue
			}
			if _, err := s.Rate(ctx, t.Token, training.Rating{Session: x.ID, Score: 3 + (i+k)%3}); err != nil {
				return 0, err
			}
		}
	}
	return checked, nil
}

// seedOutcomes finishes the demo class as the department would after its
// last day: the 跟班干部's scores with notes, the 班主任's portraits and
// the exam scores, the rules with a cap of two 优秀 (a third reaches the
// mark and is 合格 beyond the cap), the outcomes computed and confirmed,
// and the certificates issued. Two retake: one for a low evaluation, one
// for failing the exam (学时不够 is the earlier retake class's, in
// demo_retake.go).
func seedOutcomes(ctx context.Context, db *sqlstore.DB, staff *access.Actor, class int64) (map[string]int, int, error) {
	s := db.Training()
	staff = &access.Actor{Username: staff.Username, Grants: staff.Grants}
	sh, err := s.EvaluationSheet(ctx, staff, class)
	if err != nil {
		return nil, 0, err
	}
	rules := training.DefaultRules()
	rules.Cap = 2
	if _, err := s.SetRules(ctx, staff, class, rules); err != nil {
		return nil, 0, err
	}
	notes := []string{"学习认真，研讨发言有见地", "遵守纪律，按时完成作业", "积极参与现场教学", "结合本村实际提出产业思路"}
	var in []training.EvaluationInput
	best, n := 0, len(sh.Graduates)
	for i, g := range sh.Graduates {
		obs, portrait, exam := 76+(i*7)%13, 78+(i*5)%11, 72+(i*11)%17
		switch {
		case i == n-1:
			obs, portrait = 55, 52
		case i == n-2:
			exam = 52
		case best < 3 && g.Hours >= sh.Class.HoursRequired:
			best++
			obs, portrait, exam = 97-best, 95-best, 96-best
		}
		dims := map[string]int{}
		for k, d := range rules.Dims {
			dims[d] = min(100, portrait+(k%2)*2-1)
		}
		in = append(in, training.EvaluationInput{Enrolment: g.Enrolment, Source: training.Observer, Score: obs, Notes: notes[i%len(notes)]},
			training.EvaluationInput{Enrolment: g.Enrolment, Source: training.Headteacher, Dims: dims},
			training.EvaluationInput{Enrolment: g.Enrolment, Source: training.Exam, Score: exam})
	}
	if _, err := s.Evaluate(ctx, staff, class, in); err != nil {
		return nil, 0, err
	}
	if _, err := s.ComputeOutcomes(ctx, staff, class); err != nil {
		return nil, 0, err
	}
	if sh, err = s.ConfirmOutcomes(ctx, staff, class); err != nil {
		return nil, 0, err
	}
	count := map[string]int{}
	for _, g := range sh.Graduates {
		count[g.Outcome.Outcome]++
	}
	certs, err := s.IssueCertificates(ctx, staff, class, nil)
	return count, len(certs), err
}

// seedUnitNominations gives the township government, a unit, places in an
// upcoming class (单位推荐) and its personnel officer (keerqin-unit, granted
// for that unit only) nominates two of its cadres through the 入学关,
// leaving one place for a visitor to fill.
func seedUnitNominations(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	staff := &access.Actor{UserID: 990010, Username: "demo-orgstaff", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	units, _, err := db.Org().Units(ctx, staff, org.UnitFilter{Region: demoTownship, Query: "人民政府"})
	if err != nil || len(units) == 0 {
		return fmt.Errorf("demo nominations: no township government (%v)", err)
	}
	gov := units[0]
	grants := []access.Grant{{Role: access.UnitStaff, Region: gov.Region, Unit: gov.ID}}
	id, err := db.CreateUser(ctx, nil, "keerqin-unit", "科尔沁镇人民政府组织人事干部", password.Random(), grants)
	if err != nil {
		return err
	}
	officer := &access.Actor{UserID: id, Username: "keerqin-unit", Grants: grants}
	s := db.Training()
	start := time.Now().AddDate(0, 0, 14)
	c, err := s.CreateClass(ctx, staff, training.ClassInput{Region: demoTownship, Name: "基层党建能力提升培训班", Theme: "党建引领基层治理",
		Target: "科尔沁镇机关干部", Start: start.Format(time.DateOnly), End: start.AddDate(0, 0, 2).Format(time.DateOnly), Capacity: 30, HoursRequired: 12,
		Head: "keerqin-org", Escort: "组织部 李干事"})
	if err != nil {
		return err
	}
	if _, err := s.SetQuotas(ctx, staff, c.ID, []training.QuotaInput{{Unit: gov.ID, Quota: 3}}); err != nil {
		return err
	}
	cadres, err := s.UnitCadres(ctx, officer, gov.ID)
	if err != nil || len(cadres) < 3 {
		return fmt.Errorf("demo nominations: %d cadres (%v)", len(cadres), err)
	}
	if _, err := s.Nominate(ctx, officer, c.ID, gov.ID, []int64{cadres[0].ID, cadres[1].ID}); err != nil {
		return fmt.Errorf("demo nominations: %w", err)
	}
	fmt.Fprintf(stdout, "loaded demo unit nominations: %s has 3 places in %s, 2 nominated by keerqin-unit\n", gov.Name, c.Name)
	return nil
}
