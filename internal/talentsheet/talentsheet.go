// Package talentsheet reads the Excel sheets of the rural-leader
// programme (晓景计划) — applications, reviewers' scoring sheets and
// quota sheets — for the pages and the JSON API alike, so a sheet means
// the same whichever way it arrives. Codes are named in Chinese in the
// sheets; the caller passes the catalogue's Chinese text for a key.
package talentsheet

import (
	"errors"
	"strconv"
	"strings"

	"shanzhi/internal/fault"
	"shanzhi/internal/sheet"
	"shanzhi/internal/talent"
)

// Label gives the Chinese text of a catalogue key.
type Label func(key string) string

// read runs sheet.Each and turns its failures into the messages users see.
func read(name string, data []byte, limit int64, columns []string, atLeast int, noHeader string, fn func(line int, cell func(string) string)) error {
	err := sheet.Each(name, data, limit, columns, atLeast, fn)
	switch {
	case errors.Is(err, sheet.ErrNoHeader):
		return fault.OnField(fault.Invalid, "file", noHeader)
	case err != nil:
		return fault.Wrap(fault.Invalid, err, "talent.import.unreadable")
	}
	return nil
}

// labels maps the Chinese labels of codes back to the codes.
func labels[T ~string](label Label, prefix string, codes []T) map[string]T {
	out := map[string]T{}
	for _, c := range codes {
		out[label(prefix+string(c))] = c
	}
	return out
}

// number reads a whole number typed with thousands separators; a cell
// that is not one adds a problem on field.
func number(fs *fault.Fields, s, field string) int64 {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fs.Add(field, "talent.candidate.number_invalid")
	}
	return n
}

// Columns are the columns of an applications sheet, in template order,
// with the aliases the header may use; the first name is the key. The
// township column tells apart the villages whose names repeat in a
// banner; the village column also takes the village's 12-digit code.
var Columns = []string{"所属苏木乡镇|苏木乡镇|乡镇", "所属嘎查村|嘎查村|村|嘎查村代码", "姓名", "性别", "出生日期", "民族", "政治面貌", "文化程度", "身份证号|公民身份号码", "手机号|联系电话",
	"来源渠道", "经营主体类型|主体类型", "经营主体名称", "统一社会信用代码", "主导产业|产业", "上年营业收入（元）|营业收入", "从业人数",
	"带动农户数", "带动户均增收（元）|户均增收", "主要产品", "销售渠道", "所获荣誉", "个人简介与发展设想|个人简介"}

// Example is the template's example row.
var Example = []any{"科尔沁镇", "平安村", "王晓景", "男", "1985-03-01", "蒙古族", "中共党员", "高中", "152221198503010078", "13912345678",
	"在返乡能人和下乡市民中引进落户", "农民专业合作社", "平安村山野菌专业合作社", "91350100M000100Y43", "山野菌采摘加工", "1200000", "12",
	"36", "3000", "榛蘑、牛肝菌", "本地集市、网店", "", "返乡创业，带动农户采摘加工山野菌"}

// Applications reads an applications sheet into import rows of round;
// the village stays as typed for the store to resolve within the sheet's
// region, and an unknown channel or type or a malformed number is the
// row's Sheet problem, shown beside its line.
func Applications(name string, data []byte, limit int64, round int64, label Label) ([]talent.ImportRow, error) {
	channels := labels(label, "talent.channel.", talent.Channels)
	types := labels(label, "talent.entity.", talent.EntityTypes)
	var rows []talent.ImportRow
	err := read(name, data, limit, Columns, 3, "talent.import.no_header", func(line int, cell func(string) string) {
		var fs fault.Fields
		in := talent.CandidateInput{Round: round, Name: cell("姓名"), Gender: cell("性别"),
			BirthDate: cell("出生日期"), Ethnicity: cell("民族"), Political: cell("政治面貌"), Education: cell("文化程度"), IDNumber: cell("身份证号|公民身份号码"),
			Phone: cell("手机号|联系电话"), Channel: channels[cell("来源渠道")], EntityType: types[cell("经营主体类型|主体类型")],
			EntityName: cell("经营主体名称"), CreditCode: cell("统一社会信用代码"), Industry: cell("主导产业|产业"),
			Revenue: number(&fs, cell("上年营业收入（元）|营业收入"), "revenue"), Employees: int(number(&fs, cell("从业人数"), "employees")),
			Households: int(number(&fs, cell("带动农户数"), "households")), IncomeRise: number(&fs, cell("带动户均增收（元）|户均增收"), "income_rise"),
			Products: cell("主要产品"), SalesRoutes: cell("销售渠道"), Honours: cell("所获荣誉"), Summary: cell("个人简介与发展设想|个人简介")}
		if cell("来源渠道") != "" && in.Channel == "" {
			fs.Add("channel", "talent.candidate.channel_invalid")
		}
		if cell("经营主体类型|主体类型") != "" && in.EntityType == "" {
			fs.Add("entity_type", "talent.candidate.entity_type_invalid")
		}
		rows = append(rows, talent.ImportRow{Line: line, Input: in, Village: cell("所属嘎查村|嘎查村|村|嘎查村代码"), Township: cell("所属苏木乡镇|苏木乡镇|乡镇"), Sheet: fs.Err()})
	})
	return rows, err
}

// ScoreColumns are the columns of a scoring sheet for a round's criteria:
// the application's number and name (checked against each other), one
// column per criterion headed with its name and top score, and a comment.
func ScoreColumns(cs []talent.Criterion) []string {
	out := []string{"申报编号|编号", "姓名", "所属嘎查村"}
	for _, c := range cs {
		out = append(out, c.Name+"（"+strconv.Itoa(c.Max)+"）|"+c.Name)
	}
	return append(out, "评语|意见")
}

// Scores reads a reviewer's scoring sheet: one row per application, its
// five scores and a comment. A row left without any score is skipped, so
// a reviewer may upload the sheet with only the rows they scored.
func Scores(name string, data []byte, limit int64, cs []talent.Criterion) ([]talent.ScoreRow, error) {
	cols := ScoreColumns(cs)
	var rows []talent.ScoreRow
	err := read(name, data, limit, cols, 4, "talent.scores.no_header", func(line int, cell func(string) string) {
		var fs fault.Fields
		r := talent.ScoreRow{Line: line, Name: cell("姓名"), Comment: cell("评语|意见")}
		blank := true
		for _, c := range cols[3 : 3+len(cs)] {
			s := cell(c)
			blank = blank && s == ""
			r.Points = append(r.Points, int(number(&fs, s, "points")))
		}
		if blank {
			return
		}
		id := number(&fs, cell("申报编号|编号"), "id")
		if id <= 0 {
			fs.Add("id", "talent.scores.id_invalid")
		}
		r.Candidate, r.Err = id, fs.Err()
		rows = append(rows, r)
	})
	return rows, err
}

// QuotaColumns are the columns of a quota sheet: a region by code (its
// name is for the reader), the kind of quota by its label, the number.
var QuotaColumns = []string{"区划代码|地区代码", "地区|地区名称", "名额类型|类型", "名额|数量"}

// QuotaKinds lists the kinds a quota sheet names, pass first, then each
// tier.
func QuotaKinds() []talent.QuotaKind {
	out := []talent.QuotaKind{talent.QuotaPass}
	for _, t := range talent.Tiers {
		out = append(out, talent.TierQuota(t))
	}
	return out
}

// KindLabel is the Chinese label of a quota kind in a sheet.
func KindLabel(label Label, k talent.QuotaKind) string {
	if t := k.Tier(); t != "" {
		return strings.Replace(label("talent.quota.tier"), "%s", label("talent.tier."+string(t)), 1)
	}
	return label("talent.quota.pass")
}

// Quotas reads a quota sheet, one quota per row.
func Quotas(name string, data []byte, limit int64, label Label) ([]talent.QuotaRow, error) {
	kinds := map[string]talent.QuotaKind{}
	for _, k := range QuotaKinds() {
		kinds[KindLabel(label, k)] = k
		kinds[string(k)] = k
	}
	var rows []talent.QuotaRow
	err := read(name, data, limit, QuotaColumns, 3, "talent.quotas.no_header", func(line int, cell func(string) string) {
		var fs fault.Fields
		q := talent.Quota{Region: cell("区划代码|地区代码"), Kind: kinds[cell("名额类型|类型")], N: int(number(&fs, cell("名额|数量"), "n"))}
		if q.Kind == "" {
			fs.Add("kind", "talent.quota.kind_invalid")
		}
		if cell("名额|数量") == "" {
			fs.Add("n", "talent.quota.n_invalid")
		}
		rows = append(rows, talent.QuotaRow{Line: line, Quota: q, Err: fs.Err()})
	})
	return rows, err
}
