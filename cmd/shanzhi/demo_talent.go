package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/photo"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/talent"
)

// demoBanner is 科尔沁右翼前旗, the demo township's banner.
const demoBanner = "152221000000"

// demoLeaders are the demo's applicants: who, where, what business, and
// how far each has come, so every programme page has something to show.
// stage counts the approve steps passed; 5 is a leader after the notice.
var demoLeaders = []struct {
	village, name, entity, industry, products string
	etype                                     talent.EntityType
	channel                                   talent.Channel
	households, stage                         int
	tier                                      talent.Tier
}{
	{"152221100210", "王晓景", "平安村山野菌专业合作社", "山野菌采摘加工", "榛蘑、牛肝菌、松蘑", talent.Coop, talent.FromReturnees, 46, 5, talent.TierBanner},
	{"152221100201", "包金山", "远峰牛肉干加工厂", "肉牛养殖与加工", "风干牛肉干、酱牛肉", talent.Company, talent.FromEntities, 80, 5, talent.TierLeague},
	{"152221100202", "李秀兰", "远大家庭农场", "杂粮种植", "小米、绿豆、荞麦", talent.Farm, talent.FromLocals, 25, 5, talent.TierVillage},
	{"152221100200", "张春生", "远征豆腐坊", "豆制品", "卤水豆腐、干豆腐", talent.Individual, talent.FromLocals, 12, 4, talent.TierTownship},
	{"152221100210", "乌云其木格", "乌云民族手工艺合作社", "民族手工艺", "刺绣、皮雕", talent.Coop, talent.FromLocals, 30, 2, ""},
	{"152221100201", "刘德胜", "德胜肉羊养殖场", "肉羊养殖", "肉羊", talent.Farm, talent.FromEntities, 18, 1, ""},
	{"152221100202", "赵丽娟", "丽娟电商服务部", "农产品电商", "线上销售本地农产品", talent.Individual, talent.FromReturnees, 40, 0, ""},
}

// seedTalent sets up a round of 晓景计划 at the league and walks the demo
// applications through the real review, one official per level, so the
// register, rankings, coverage and the leaders' three lists are populated.
func seedTalent(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	rev, err := reviewService(db)
	if err != nil {
		return err
	}
	svc := db.Talent(rev)
	year := time.Now().Year()
	league := &access.Actor{UserID: 990001, Username: "demo-league", Grants: []access.Grant{{Role: access.Leader, Region: demoLeague}}}
	round, err := svc.CreateRound(ctx, league, talent.Round{Region: demoLeague, Name: fmt.Sprintf("%d年晓景计划", year), StartYear: year, Years: 3,
		Trajectory: []int{40, 70, 100}, Opens: fmt.Sprintf("%d-01-01", year), Closes: fmt.Sprintf("%d-12-31", year)})
	if err != nil {
		return err
	}
	clerk := &access.Actor{UserID: 990002, Username: "demo-clerk", Grants: []access.Grant{{Role: access.Operator, Region: demoTownship}}}
	var leaders []int64
	// A finished application went through the league's notice days ago:
	// its steps run with the store's clock that far back, so the
	// finalisation below closes its notice, and only its, on time.
	clock := db.Now
	defer func() { db.Now = clock }()
	for i, d := range demoLeaders {
		db.Now = clock
		if d.stage == 5 {
			db.Now = func() time.Time { return clock().Add(-(talent.NoticeDays + 1) * 24 * time.Hour) }
		}
		first := fmt.Sprintf("152221198%d0101%03d", i%10, 500+i)
		in := talent.CandidateInput{Round: round.ID, Village: d.village, Channel: d.channel, Name: d.name, Gender: "男", BirthDate: fmt.Sprintf("198%d-01-01", i%10),
			Ethnicity: "蒙古族", Political: "中共党员", Education: "高中", IDNumber: first + string(registry.CheckChar(first)), Phone: fmt.Sprintf("1390482%04d", i),
			EntityType: d.etype, EntityName: d.entity, CreditCode: creditcode.Complete(fmt.Sprintf("93152221MA0N%05d", i)), Industry: d.industry,
			Revenue: int64(d.households) * 30000, Employees: d.households / 4, Households: d.households, IncomeRise: 3200, Products: d.products,
			SalesRoutes: "本地集市、旗县超市、网店", Summary: "立足本村资源发展" + d.industry + "，带动农户增收"}
		c, err := svc.Save(ctx, clerk, 0, in)
		if err != nil {
			return fmt.Errorf("demo application %s: %w", d.name, err)
		}
		if d.stage == 0 {
			continue // a draft
		}
		if _, err := svc.Submit(ctx, clerk, c.ID); err != nil {
			return err
		}
		for step := 0; step < min(d.stage, len(talent.Levels)); step++ {
			at := talent.Ancestor(d.village, talent.StepLevel(step))
			for k := range 2 {
				official := &access.Actor{UserID: int64(991000 + 10*step + k), Username: fmt.Sprintf("demo-%d-%d", step, k), Grants: []access.Grant{{Role: access.Reviewer, Region: at}}}
				pts := []int{18 - k, 17, 16 + i%3, 18, 15 + k}
				if err := svc.Score(ctx, official, c.ID, pts, "材料齐全，带动作用明显"); err != nil {
					return err
				}
				if k == 1 {
					if _, err := svc.Decide(ctx, official, c.ID, talent.Decision{Decision: review.Approve, Tier: d.tier}); err != nil {
						return fmt.Errorf("demo decision %s step %d: %w", d.name, step, err)
					}
				}
			}
		}
		if d.stage == 5 {
			db.Now = clock
			if _, err := rev.FinaliseDue(ctx, clock()); err != nil {
				return err
			}
			leaders = append(leaders, c.ID)
		}
	}
	for i, id := range leaders {
		c, err := svc.Candidate(ctx, clerk, id)
		if err != nil {
			return err
		}
		measures := []talent.MeasureInput{
			{List: talent.Pairing, Title: "结对帮带青年创业者", Goal: "一年内独立经营", Partner: "青年创业者" + fmt.Sprint(i+1), Owner: c.Name, Deadline: time.Now().AddDate(0, -1, 0).Format(time.DateOnly)},
			{List: talent.Training, Direction: talent.Gives, Title: "开展实用技术培训", Goal: "全年 4 期", Owner: c.Name, Deadline: time.Now().AddDate(0, 6, 0).Format(time.DateOnly)},
		}
		for _, m := range measures {
			if _, err := svc.AddMeasure(ctx, clerk, c.LeaderID, m); err != nil {
				return err
			}
		}
	}
	if err := seedCultivation(ctx, svc, clerk, leaders); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded demo 晓景计划: %s with %d applications, %d leaders\n", round.Name, len(demoLeaders), len(leaders))
	return nil
}

// seedCultivation carries the demo's selected people past selection: each
// has a cultivation plan and policy support; the first two are judged
// complete and recognised as leaders, and the first agreed to the public
// showcase with a product photo; the third stays a cultivation target.
func seedCultivation(ctx context.Context, svc *sqlstore.TalentService, clerk *access.Actor, leaders []int64) error {
	judge := &access.Actor{UserID: 990003, Username: "demo-banner", Grants: []access.Grant{{Role: access.Leader, Region: demoBanner}}}
	day := func(months int) string { return time.Now().AddDate(0, months, 0).Format(time.DateOnly) }
	for i, id := range leaders {
		c, err := svc.Candidate(ctx, clerk, id)
		if err != nil {
			return err
		}
		l := c.LeaderID
		for _, p := range []talent.PlanInput{
			{Kind: talent.PlanIncubation, Title: "乡土人才孵化第一期", Provider: "科尔沁镇乡土人才孵化中心", Day: day(-3), Hours: 40},
			{Kind: talent.PlanTraining, Title: "农村电商直播培训", Provider: "旗委组织部", Day: day(-2), Hours: 16},
			{Kind: talent.PlanMentoring, Title: "导师结对帮带", Provider: "旗级带头人导师", Day: day(-1)},
		} {
			if err := svc.AddPlan(ctx, clerk, l, p); err != nil {
				return fmt.Errorf("demo plan: %w", err)
			}
		}
		for _, s := range []talent.SupportInput{
			{Kind: talent.Subsidy, Amount: 20000 + int64(i)*5000, Source: "旗农牧和科技局产业扶持资金", Day: day(-2)},
			{Kind: talent.Loan, Amount: 300000, Source: "农商银行创业担保贷款", Day: day(-2)},
			{Kind: talent.Venue, Amount: 36000, Source: "镇孵化中心免租场地（折价）", Day: day(-1)},
		} {
			if err := svc.AddSupport(ctx, clerk, l, s); err != nil {
				return fmt.Errorf("demo support: %w", err)
			}
		}
		if i >= 2 {
			continue // still a cultivation target
		}
		if err := svc.Recognise(ctx, judge, l, talent.RecognitionInput{Decision: talent.Recognise, Day: day(0), Reason: "培育期满，考核合格"}); err != nil {
			return fmt.Errorf("demo recognition: %w", err)
		}
		if i > 0 {
			continue
		}
		if err := svc.SetShowcase(ctx, clerk, l, talent.Showcase{Published: true, ConsentDay: day(0), LiveChannels: "抖音、快手直播带货",
			Cities: "北京、沈阳、呼和浩特", Fairs: "红色文旅嘉年华、兴安盟农博会", People: 216}); err != nil {
			return fmt.Errorf("demo showcase: %w", err)
		}
		if _, err := svc.AddShowcasePhoto(ctx, clerk, l, "榛蘑", photo.Swatch(7)); err != nil {
			return fmt.Errorf("demo showcase photo: %w", err)
		}
	}
	return nil
}
