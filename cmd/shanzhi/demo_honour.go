package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
)

// The two officials of 平安村 who keep its fundraising ledger: the village
// clerk enters, the township clerk confirms, as the two-person rule asks.
func demoFundClerks() (*access.Actor, *access.Actor) {
	return &access.Actor{UserID: 990030, Username: "demo-kuaiji", Grants: []access.Grant{{Role: access.Operator, Region: demoVillage}}},
		&access.Actor{UserID: 990031, Username: "demo-chuna", Grants: []access.Grant{{Role: access.Operator, Region: demoTownship}}}
}

// seedHonours gives 平安村 the four boards of the seed's 小河沿村 (two
// computed from the Moral Bank and published, two nominated and passed
// through the committee and a notice), a finished drive for a household
// hit by illness (donations confirmed by a second official, three
// disbursements, closed at zero) beside an open one, the township's
// privileges with one granted, and the first household's consent with a
// credit export. Everything goes through the store calls the pages make.
func seedHonours(ctx context.Context, db *sqlstore.DB, official *access.Actor, stdout io.Writer) error {
	rev, err := reviewService(db)
	if err != nil {
		return err
	}
	hs := db.Honours(rev)
	list, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: demoVillage, Status: registry.HouseholdActive, ByNumber: true, Limit: 500})
	if err != nil {
		return err
	}
	if len(list) < 12 {
		return fmt.Errorf("demo: 平安村 has %d households", len(list))
	}
	today := localtime.In(db.Now())
	for _, b := range []struct {
		in   honour.BoardInput
		back func(int) time.Time
	}{
		{honour.BoardInput{Region: demoVillage, Name: "孝星榜", Kind: honour.Computed, Period: honour.Quarter, Aspect: "filial", MinPoints: 2, Size: 10}, func(k int) time.Time { return today.AddDate(0, -3*k, 0) }},
		{honour.BoardInput{Region: demoVillage, Name: "善举榜", Kind: honour.Computed, Period: honour.Month, Aspect: "public", MinPoints: 2, Size: 10}, func(k int) time.Time { return today.AddDate(0, -k, 0) }},
	} {
		board, err := hs.CreateBoard(ctx, official, b.in)
		if err != nil {
			return err
		}
		// The two latest finished periods with anyone over the threshold,
		// so the public page opens on a published board.
		published := 0
		for k := 1; k < 6 && published < 2; k++ {
			_, err := hs.Publish(ctx, official, board.ID, honour.CurrentPeriod(b.in.Period, b.back(k)))
			switch {
			case err == nil:
				published++
			case !fault.Is(err, fault.Conflict):
				return err
			}
		}
	}
	if err := seedNominations(ctx, db, rev, hs, official, list); err != nil {
		return err
	}
	if err := seedFunds(ctx, db, list); err != nil {
		return err
	}
	if err := seedPrivileges(ctx, db, official, list); err != nil {
		return err
	}
	villager := &access.Actor{UserID: 990032, Username: demoVillage + "-001", Grants: []access.Grant{{Role: access.Villager, Region: demoVillage, Household: list[0].ID}}}
	if _, err := db.Credit().Consent(ctx, villager, list[0].ID, honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "科右前旗农村商业银行", RetentionDays: 365}); err != nil {
		return err
	}
	leader := &access.Actor{UserID: 990033, Username: "demo-keerqin", Grants: []access.Grant{{Role: access.Leader, Region: demoTownship}}}
	if _, err := db.Credit().Export(ctx, leader, list[0].ID, "xlsx"); err != nil {
		return err
	}
	if err := seedPublicChannel(ctx, db, hs, official, list); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "seeded honours: 4 boards of 平安村, 2 fundraising drives, privileges, a credit consent and export, a paper consent with its scan, a public nomination in the committee's queue")
	return nil
}

// seedPublicChannel records the second household's credit consent from
// its paper form with the form's scan, and has a villager without an
// account nominate a neighbour on 最美平安人 from the board's public page,
// which waits in the committee's queue.
func seedPublicChannel(ctx context.Context, db *sqlstore.DB, hs *sqlstore.HonourService, official *access.Actor, list []registry.Household) error {
	if _, err := db.Credit().Consent(ctx, official, list[1].ID, honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "科右前旗农村商业银行", RetentionDays: 365,
		Method: honour.OnPaper, Reference: "平安村信贷同意书-2026-002", Scan: demoDeedPhoto()}); err != nil {
		return err
	}
	bs, err := hs.Boards(ctx, official, demoVillage)
	if err != nil {
		return err
	}
	var board int64
	for _, b := range bs {
		if b.Name == "最美平安人" {
			board = b.ID
		}
	}
	// The form was opened a few minutes before it was sent.
	clock := db.Now
	db.Now = func() time.Time { return clock().Add(-5 * time.Minute) }
	token := hs.PublicFormToken(ctx)
	db.Now = clock
	h := list[10]
	_, err = hs.NominatePublic(ctx, honour.PublicNomination{Board: board, Number: h.Number, Nominee: h.HeadName, NominatorName: "王秀英", NominatorPhone: "13704820017",
		Deed: "每天清晨义务打扫村委会门前广场和健身场地，三年来风雨无阻", NomineeAgreed: true, Token: token})
	return err
}

// seedNominations nominates households on the two nominated boards ten
// days ago, has the committee approve them and lets their notice close
// five days later: the boards show finished honours, and the points
// notices the demo leaves open for a visitor are not touched.
func seedNominations(ctx context.Context, db *sqlstore.DB, rev *sqlstore.ReviewService, hs *sqlstore.HonourService, official *access.Actor, list []registry.Household) error {
	clock := db.Now
	defer func() { db.Now = clock }()
	start := clock().Add(-10 * 24 * time.Hour)
	db.Now = func() time.Time { return start }
	year := localtime.In(start).Format("2006")
	committee := demoCommittee()
	deeds := []struct{ deed, citation, by string }{
		{"连续八年照顾瘫痪在床的婆婆，端水喂饭、擦身翻身从不间断", "八年如一日侍奉婆婆", "村妇联"},
		{"冬季暴雪中义务清扫村道三公里，帮助独居老人运送煤炭", "风雪中的热心人", "第一网格"},
		{"主动借出自家农机，帮助受灾户抢收玉米二十亩", "邻里有难伸援手", "村民代表"},
		{"带头调解邻里宅基地纠纷五起，化解矛盾不出村", "和事佬化解矛盾", "村调委会"},
	}
	for i, name := range []string{"好人榜", "最美平安人"} {
		board, err := hs.CreateBoard(ctx, official, honour.BoardInput{Region: demoVillage, Name: name, Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			return err
		}
		for j := range 2 {
			d := deeds[2*i+j]
			in := honour.NominationInput{Board: board.ID, Period: year, Household: list[4+2*i+j].ID, Deed: d.deed, Citation: d.citation,
				NominatorKind: honour.ByOrganisation, Nominator: d.by, Consent: honour.ConsentSigned, ConsentDate: start.Format("2006-01-02")}
			if j == 0 {
				// The first of each board has a photo of the deed its
				// nominee agreed to show on the public board.
				in.Photos, in.PhotosPublic = [][]byte{demoDeedPhoto()}, true
			}
			n, err := hs.Nominate(ctx, official, in)
			if err != nil {
				return err
			}
			if _, err := rev.Decide(ctx, committee, n.ReviewID, review.Approve, ""); err != nil {
				return err
			}
		}
	}
	_, err := rev.FinaliseDue(ctx, start.Add((honour.NoticeDays+1)*24*time.Hour))
	return err
}

// seedFunds runs a finished drive and leaves one open with a donation
// waiting for its second official.
func seedFunds(ctx context.Context, db *sqlstore.DB, list []registry.Household) error {
	enter, confirm := demoFundClerks()
	fs := db.Funds()
	today := localtime.In(db.Now())
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	done, err := fs.Open(ctx, enter, honour.CampaignInput{Household: list[8].ID, Title: "三组大病户互助募捐", Reason: honour.Illness, Target: 3_000_000,
		Starts: day(-40), Ends: day(-10), Consent: honour.ConsentSigned, ConsentDate: day(-41)})
	if err != nil {
		return err
	}
	donors := []string{"王秀英", "李桂兰", "张海军", "", "刘建国", "陈玉梅", "平安村合作社", "", "赵永福", "孙丽华", "科尔沁镇快递服务站", "周志强"}
	var raised int64
	for i, who := range donors {
		amount := int64(20_000 + 15_000*(i%5))
		raised += amount
		d, err := fs.Post(ctx, enter, honour.Posting{Key: fmt.Sprint("demo-fund-d", i), Campaign: done.ID, Kind: honour.Donation, Party: who, Named: who != "" && i%3 != 1,
			Amount: amount, Method: []honour.Method{honour.Cash, honour.BankTransfer}[i%2], Day: day(-38 + i), Receipt: fmt.Sprintf("PA-MJ-%03d", i+1)})
		if err != nil {
			return err
		}
		if _, err := fs.Post(ctx, confirm, honour.Posting{Key: fmt.Sprint("demo-fund-c", i), Campaign: done.ID, Kind: honour.Confirmation, Ref: d.ID, Day: day(-38 + i)}); err != nil {
			return err
		}
	}
	for i, part := range []int64{raised / 2, raised / 3, raised - raised/2 - raised/3} {
		if _, err := fs.Post(ctx, enter, honour.Posting{Key: fmt.Sprint("demo-fund-x", i), Campaign: done.ID, Kind: honour.Disbursement, Amount: part, Day: day(-20 + 4*i),
			Evidence: fmt.Sprintf("农商银行转账回单 %d", 1001+i), Party: "户主本人签收"}); err != nil {
			return err
		}
	}
	if _, err := fs.Post(ctx, enter, honour.Posting{Key: "demo-fund-close", Campaign: done.ID, Kind: honour.Closing, Day: day(-9)}); err != nil {
		return err
	}
	open, err := fs.Open(ctx, enter, honour.CampaignInput{Household: list[9].ID, Title: "交通事故受伤群众互助募捐", Reason: honour.Accident, Target: 2_000_000,
		Partner: "兴安盟慈善总会", Starts: day(-3), Ends: day(27), Consent: honour.ConsentSigned, ConsentDate: day(-4)})
	if err != nil {
		return err
	}
	for i, who := range []string{"白音", "乌云其其格", ""} {
		d, err := fs.Post(ctx, enter, honour.Posting{Key: fmt.Sprint("demo-fund2-d", i), Campaign: open.ID, Kind: honour.Donation, Party: who, Named: who != "",
			Amount: int64(50_000 + 10_000*i), Method: honour.Cash, Day: day(-2 + i), Receipt: fmt.Sprintf("PA-MJ-1%02d", i+1)})
		if err != nil {
			return err
		}
		if i < 2 {
			if _, err := fs.Post(ctx, confirm, honour.Posting{Key: fmt.Sprint("demo-fund2-c", i), Campaign: open.ID, Kind: honour.Confirmation, Ref: d.ID, Day: day(-2 + i)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedPrivileges sets the township's catalogue and grants a health check
// to the first household of 平安村 whose balance opens it, the demo
// villager's as a rule.
func seedPrivileges(ctx context.Context, db *sqlstore.DB, official *access.Actor, list []registry.Household) error {
	ps := db.Privileges()
	var check int64
	for _, p := range []honour.PrivilegeInput{
		{Township: demoTownship, Name: "免费健康体检", Threshold: 100, ValidDays: 365, Limit: 1},
		{Township: demoTownship, Name: "评优评先优先推荐", Threshold: 150, ValidDays: 365, Limit: 1},
		{Township: demoTownship, Name: "农机作业费减免一次", Threshold: 200, ValidDays: 180, Limit: 2},
	} {
		got, err := ps.CreatePrivilege(ctx, official, p)
		if err != nil {
			return err
		}
		if check == 0 {
			check = got.ID
		}
	}
	for _, h := range list {
		offers, err := ps.Offers(ctx, official, h.ID)
		if err != nil {
			return err
		}
		for _, o := range offers {
			if o.ID == check && o.Qualifies {
				_, err := ps.Grant(ctx, official, h.ID, check, "科尔沁镇卫生院")
				return err
			}
		}
	}
	return nil
}

// demoDeedPhoto is a small picture standing in for a photo of a deed.
func demoDeedPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{R: uint8(180 + x/8), G: uint8(60 + y/4), B: 40, A: 255})
		}
	}
	var b bytes.Buffer
	// Encoding into memory cannot fail.
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}
