package main

import (
	"context"
	"fmt"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
)

// demoRoster are the couriers of the joint branch as the national
// party-member system's roster lists them: name, gender, birth date, the
// last digits of their ID number, and the unit they work in (1 the
// courier station, 2 the farm co-operative no organisation covers yet).
var demoRoster = []struct {
	name, gender, birth string
	seq, unit           int
	full                string
}{
	{"包国庆", "男", "19881001", 13, 1, "2012-07-01"},
	{"白玉兰", "女", "19920315", 24, 1, "2016-07-01"},
	{"王建军", "男", "19850702", 35, 1, "2010-07-01"},
	{"乌日娜", "女", "19950521", 46, 2, "2019-07-01"},
	{"赵海涛", "男", "19901111", 57, 2, ""},
	{"陈晓东", "男", "19870909", 69, 2, "2013-07-01"},
}

// demoID is a valid synthetic ID number of 科尔沁右翼前旗.
func demoID(birth string, seq int) string {
	first := fmt.Sprintf("152221%s%03d", birth, seq)
	return first + string(registry.CheckChar(first))
}

// seedMembership shows the membership half finished: the couriers'
// branch imported from the national roster (two of them working in a farm
// co-operative no organisation covers: the 两个覆盖 gap, beside a
// livestock firm covered by a 党建指导员), a village member's transfer to
// the couriers' branch received, and another member working away in
// 呼和浩特 with a temporary branch there (流动党员).
func seedMembership(ctx context.Context, svc *sqlstore.OrgService, staff *access.Actor, village, couriers *org.Org) error {
	coop, err := svc.CreateUnit(ctx, staff, org.UnitInput{Region: demoVillage, Name: "平安村肉牛养殖专业合作社",
		CreditCode: creditcode.Complete("93152221MA0P1Q2R3"), Type: org.PrivateFirm, TwoNew: true})
	if err != nil {
		return err
	}
	firm, err := svc.CreateUnit(ctx, staff, org.UnitInput{Region: demoTownship, Name: "科尔沁镇草原牧业有限公司",
		CreditCode: creditcode.Complete("91152221MA0T4U5W6"), Type: org.PrivateFirm, TwoNew: true})
	if err != nil {
		return err
	}
	if _, err := svc.SetInstructor(ctx, staff, firm.ID, "高志远", "2025-03-01"); err != nil {
		return err
	}
	couriersUnit := "科尔沁镇快递服务站"
	var rows []org.RosterRow
	for i, p := range demoRoster {
		unit := couriersUnit
		if p.unit == 2 {
			unit = coop.CreditCode
		}
		year, _ := strconv.Atoi(p.birth[:4])
		rows = append(rows, org.RosterRow{Line: i + 2, Branch: couriers.Name, Unit: unit, Input: org.MemberInput{Name: p.name, Gender: p.gender,
			IDNumber: demoID(p.birth, p.seq), Ethnicity: "蒙古族", Birth: p.birth[:4] + "-" + p.birth[4:6] + "-" + p.birth[6:], Education: "高中",
			Probation: fmt.Sprintf("%d-07-01", year+22), Full: p.full, Job: "快递员", Phone: fmt.Sprintf("1390482%04d", 1000+i), Residence: "科尔沁镇"}})
	}
	rows[3].Input.Job, rows[4].Input.Job, rows[5].Input.Job = "饲养员", "合作社会计", "兽医"
	rows[4].Input.Probation = "2025-07-01"
	done, sum, err := svc.ImportRoster(ctx, staff, demoTownship, rows, true)
	if err != nil {
		return err
	}
	if sum.Refused > 0 {
		for _, r := range done {
			if r.Err != nil {
				return fmt.Errorf("demo roster line %d: %w", r.Line, r.Err)
			}
		}
	}
	list, err := svc.Members(ctx, staff, village.ID)
	if err != nil {
		return err
	}
	if len(list) < 2 {
		return fmt.Errorf("demo: 平安村's branch has %d members", len(list))
	}
	// The first village member took a job at the courier station: their
	// membership went with them.
	if _, err := svc.Transfer(ctx, staff, list[0].ID, couriers.ID, "2026-03-02"); err != nil {
		return err
	}
	if _, err := svc.Receive(ctx, staff, list[0].ID, "2026-03-09"); err != nil {
		return err
	}
	_, err = svc.StartFlow(ctx, staff, list[1].ID, org.FlowInput{TempName: "呼和浩特市赛罕区新就业群体联合党支部", Place: "呼和浩特市赛罕区", From: "2026-04-01"})
	return err
}
