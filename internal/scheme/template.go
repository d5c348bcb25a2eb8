package scheme

import "shanzhi/internal/access"

// DefaultTemplate is the scheme shipped with the product, modelled on the
// seed village's 道德银行 rules: six aspects and forty items, which a
// village copies and edits. Item codes are stable, so a village's later
// versions and overrides keep naming the same conduct.
func DefaultTemplate() Scheme {
	op := []access.Role{access.Operator}
	opLead := []access.Role{access.Operator, access.Leader}
	photo := Evidence{Photo: true}
	text := Evidence{Text: true}
	witness := Evidence{Witness: true, Text: true}
	photoText := Evidence{Photo: true, Text: true}
	none := Evidence{}
	type row struct {
		code, name, desc string
		points           int
		unit             Unit
		cap              int
		capPeriod        Period
		roles            []access.Role
		ev               Evidence
		overridable      bool
	}
	aspects := []struct {
		code, name string
		items      []row
	}{
		{"env", "环境卫生", []row{
			{"env-01", "庭院整洁", "院内物品摆放整齐，无杂物、无垃圾，月度评比合格", 2, PerMonth, 1, Month, op, photo, true},
			{"env-02", "门前三包", "包卫生、包秩序、包绿化，检查合格", 2, PerInspection, 4, Month, op, photo, true},
			{"env-03", "垃圾分类投放", "生活垃圾分类、定点投放", 1, PerInspection, 4, Month, op, none, true},
			{"env-04", "厕所改造并规范使用", "完成户厕改造并保持清洁", 5, PerOccurrence, 1, Year, op, photo, true},
			{"env-05", "植树绿化美化", "房前屋后植树种花、美化环境", 2, PerOccurrence, 2, Month, op, photo, true},
			{"env-06", "乱堆乱放", "柴草、粪堆、杂物占道乱堆乱放，经提醒未整改", -3, PerOccurrence, 0, "", op, photo, true},
			{"env-07", "乱倒垃圾污水", "随意倾倒垃圾、污水或焚烧秸秆", -5, PerOccurrence, 0, "", op, photo, false},
		}},
		{"industry", "产业发展", []row{
			{"ind-01", "发展特色种养殖", "发展肉牛、肉羊、杂粮等特色种养殖并初具规模", 5, PerOccurrence, 1, Year, op, photoText, true},
			{"ind-02", "带动就业", "吸纳本村村民稳定就业，每带动一人", 3, PerOccurrence, 10, Year, opLead, witness, true},
			{"ind-03", "参加技能培训", "参加种养殖、电商等技能培训并结业", 2, PerOccurrence, 3, Year, op, text, true},
			{"ind-04", "加入合作社", "加入农牧民专业合作社并参与经营", 3, PerOccurrence, 1, Year, op, text, true},
			{"ind-05", "发展庭院经济", "利用庭院发展种植、养殖或手工", 2, PerOccurrence, 1, Year, op, photo, true},
			{"ind-06", "电商销售农畜产品", "通过网店、直播等销售本地农畜产品", 2, PerOccurrence, 2, Year, op, photoText, true},
			{"ind-07", "科学种养示范", "采用新品种、新技术并向邻里示范推广", 3, PerOccurrence, 1, Year, opLead, witness, true},
		}},
		{"public", "热心公益", []row{
			{"pub-01", "义务劳动", "参加村组织的义务劳动，每半天", 2, PerOccurrence, 4, Month, op, photo, true},
			{"pub-02", "捐款捐物", "为村内公益事业或困难群众捐款捐物", 2, PerOccurrence, 2, Month, op, text, true},
			{"pub-03", "参与志愿服务", "参加志愿服务队活动", 2, PerOccurrence, 4, Month, op, photo, true},
			{"pub-04", "参加村集体活动", "参加村民大会、文体活动等集体活动", 1, PerOccurrence, 4, Month, op, none, true},
			{"pub-05", "护林防火巡查", "参与护林防火、草原防火巡查", 2, PerOccurrence, 4, Month, op, photo, true},
			{"pub-06", "抢险救灾", "在防汛、抗旱、救火等抢险救灾中出力", 5, PerOccurrence, 0, "", opLead, witness, false},
			{"pub-07", "见义勇为", "见义勇为并经核实", 10, PerOccurrence, 0, "", opLead, witness, false},
		}},
		{"filial", "孝老爱亲", []row{
			{"fil-01", "赡养老人", "按月赡养父母，老人衣食住医有保障", 3, PerMonth, 1, Month, op, witness, true},
			{"fil-02", "照顾病残家属", "长期照料患病、残疾家庭成员", 3, PerMonth, 1, Month, op, witness, true},
			{"fil-03", "邻里互助", "帮助邻里解决生产生活困难", 2, PerOccurrence, 4, Month, op, witness, true},
			{"fil-04", "家庭和睦", "家庭成员和睦相处，无家暴、无纠纷", 2, PerMonth, 1, Month, op, none, true},
			{"fil-05", "关爱留守儿童", "结对关爱留守儿童、孤寡老人", 2, PerOccurrence, 2, Month, op, text, true},
			{"fil-06", "不赡养老人", "拒不履行赡养义务，经调解仍不改正", -10, PerOccurrence, 0, "", opLead, witness, false},
		}},
		{"law", "遵纪守法", []row{
			{"law-01", "无违法记录", "全户全年无违法违纪记录", 5, PerOccurrence, 1, Year, op, none, true},
			{"law-02", "参与调解纠纷", "协助村调委会调解邻里矛盾纠纷", 3, PerOccurrence, 4, Month, op, witness, true},
			{"law-03", "举报违法", "举报违法犯罪线索并经查实", 5, PerOccurrence, 0, "", opLead, text, false},
			{"law-04", "参加普法学习", "参加法治宣传、普法讲座", 1, PerOccurrence, 2, Month, op, none, true},
			{"law-05", "按时缴纳医保", "按时缴纳城乡居民医保、养老保险", 2, PerOccurrence, 1, Year, op, text, true},
			{"law-06", "越级上访闹访", "无理越级上访、闹访", -5, PerOccurrence, 0, "", opLead, text, false},
			{"law-07", "聚众赌博", "参与赌博，经查实", -10, PerOccurrence, 0, "", opLead, text, false},
		}},
		{"customs", "移风易俗", []row{
			{"cus-01", "婚事新办", "婚事简办新办，不大操大办", 5, PerOccurrence, 0, "", op, text, true},
			{"cus-02", "丧事简办", "丧事从简，文明祭扫", 5, PerOccurrence, 0, "", op, text, true},
			{"cus-03", "不攀比彩礼", "彩礼不超过村规民约的标准", 5, PerOccurrence, 0, "", op, witness, true},
			{"cus-04", "反对封建迷信", "不参与封建迷信活动，主动劝阻", 2, PerOccurrence, 1, Year, op, none, true},
			{"cus-05", "文明节俭过节", "节日不铺张浪费，不燃放大量烟花爆竹", 1, PerOccurrence, 2, Year, op, none, true},
			{"cus-06", "大操大办", "婚丧嫁娶、升学乔迁等大操大办、随礼攀比", -5, PerOccurrence, 0, "", opLead, witness, false},
		}},
	}
	s := Scheme{
		Name:            "道德银行积分评价体系",
		BasePeriod:      Month,
		CarryOver:       Carry,
		NoticeDays:      DefaultNoticeDays,
		AllowLocalItems: true,
		AllowOverride:   true,
		Source:          FromTemplate,
	}
	for i, a := range aspects {
		s.Aspects = append(s.Aspects, Aspect{Code: a.code, Name: a.name, Order: i + 1})
		for _, r := range a.items {
			s.Items = append(s.Items, Item{Code: r.code, Aspect: a.code, Name: r.name, Description: r.desc, Points: r.points, Unit: r.unit,
				Cap: r.cap, CapPeriod: r.capPeriod, Roles: append([]access.Role(nil), r.roles...), Evidence: r.ev, Overridable: r.overridable})
		}
	}
	return s
}
