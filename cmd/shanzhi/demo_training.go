package main

import (
	"context"
	"fmt"
	"io"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
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
	return nil
}
