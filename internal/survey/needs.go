package survey

// The built-in needs survey of cadre training (干部教育培训需求调研): who
// answers (rank, sector), which competencies they lack, how they would
// rather be taught. Its analysis ranks the lacking competencies per rank
// and sector, the draft of the 紧缺能力清单.

// TemplateNeeds names the needs survey's template.
const TemplateNeeds = "needs"

// The needs survey's question keys, fixed so the ranking finds them.
const (
	NeedsRank    = "rank"
	NeedsSector  = "sector"
	NeedsLacking = "lacking"
	NeedsMode    = "mode"
	NeedsRating  = "past"
	NeedsNote    = "note"
)

// Ranks are the cadre ranks the needs survey samples by.
var Ranks = []Option{
	{"county", "县处级"},
	{"section", "乡科级"},
	{"general", "一般干部"},
}

// Sectors are the kinds of unit the needs survey samples by.
var Sectors = []Option{
	{"party_gov", "党政机关"},
	{"institution", "事业单位"},
	{"state_firm", "国有企业"},
	{"township", "苏木乡镇"},
	{"village", "嘎查村"},
}

// Competencies is the competency vocabulary the needs survey asks from;
// cadre training tags its courses with the same keys.
var Competencies = []Option{
	{"political", "政治能力"},
	{"research", "调查研究"},
	{"decision", "科学决策"},
	{"reform", "改革攻坚"},
	{"emergency", "应急处突"},
	{"mass_work", "群众工作"},
	{"execution", "抓落实"},
	{"law", "依法行政"},
	{"digital", "数字化应用"},
	{"rural", "乡村振兴"},
	{"industry", "产业发展"},
	{"ecology", "生态保护"},
	{"ethnic_unity", "铸牢中华民族共同体意识"},
	{"investment", "招商引资"},
}

// Modes are the teaching modes of the seed's classes.
var Modes = []Option{
	{"onsite", "现场教学"},
	{"experience", "体验教学"},
	{"seminar", "研讨教学"},
}

// NeedsTemplate is the needs questionnaire for region, anonymous,
// sampled by rank and sector.
func NeedsTemplate(region string) Input {
	return Input{
		Region:    region,
		Title:     "干部教育培训需求调研",
		Intro:     "为按需施教、精准滴灌，请如实填写您的培训需求。问卷匿名，约需 3 分钟。",
		Anonymous: true,
		Questions: []Question{
			{Key: NeedsRank, Kind: Single, Label: "您的职级", Required: true, Options: Ranks},
			{Key: NeedsSector, Kind: Single, Label: "您所在单位类型", Required: true, Options: Sectors},
			{Key: NeedsLacking, Kind: Multiple, Label: "您认为自己最欠缺、最需要通过培训提升的能力（可多选）", Required: true, Options: Competencies},
			{Key: NeedsMode, Kind: Single, Label: "您最希望的教学方式", Required: true, Options: Modes},
			{Key: NeedsRating, Kind: Rating, Label: "您对以往参加培训的总体满意度（1 最低，5 最高）", Min: 1, Max: 5},
			{Key: NeedsNote, Kind: Text, Label: "其他培训需求或建议"},
		},
	}
}

// NeedsStrata are the needs survey's sampling strata.
var NeedsStrata = []string{NeedsRank, NeedsSector}
