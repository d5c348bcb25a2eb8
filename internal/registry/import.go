package registry

import (
	"strings"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
)

// ImportColumn is one column of the household import sheet.
type ImportColumn struct {
	Key      string   // the field name validation uses
	Header   string   // the title in the template
	Aliases  []string // other titles found in real ledgers
	Required bool
	Example  string
}

// ImportColumns is the layout of the import template and every title the
// importer recognises, taken from the ledgers villages actually keep.
var ImportColumns = []ImportColumn{
	{Key: "number", Header: "户号", Aliases: []string{"户编号", "户籍号"}, Required: true, Example: "001"},
	{Key: "village", Header: "所属村", Aliases: []string{"村", "嘎查村", "村（嘎查、社区）", "村名"}, Example: "平安村"},
	{Key: "address", Header: "家庭住址", Aliases: []string{"住址", "地址", "现住址"}, Example: "一组 12 号"},
	{Key: "name", Header: "姓名", Required: true, Example: "巴特尔"},
	{Key: "name_mongol", Header: "蒙古文姓名", Aliases: []string{"传统蒙古文姓名"}},
	{Key: "gender", Header: "性别", Example: "男"},
	{Key: "ethnicity", Header: "民族", Required: true, Example: "蒙古族"},
	{Key: "birth_date", Header: "出生日期", Aliases: []string{"出生年月日", "出生年月"}, Example: "1980-05-06"},
	{Key: "id_number", Header: "身份证号", Aliases: []string{"身份证号码", "公民身份号码", "居民身份证号码", "身份证"}},
	{Key: "phone", Header: "手机号", Aliases: []string{"手机号码", "联系电话", "电话"}},
	{Key: "relation", Header: "与户主关系", Aliases: []string{"关系", "家庭关系"}, Required: true, Example: "户主"},
	{Key: "political", Header: "政治面貌", Example: "群众"},
}

// HeaderWant renders ImportColumns as the "title|alias|..." list the sheet
// reader's header search takes, keyed by the column's Header.
func HeaderWant() []string {
	out := make([]string, len(ImportColumns))
	for i, c := range ImportColumns {
		out[i] = strings.Join(append([]string{c.Header}, c.Aliases...), "|")
	}
	return out
}

// MissingColumns names the required columns a header lacks.
func MissingColumns(found map[string]int) []string {
	var out []string
	for _, c := range ImportColumns {
		if _, ok := found[c.Header]; c.Required && !ok {
			out = append(out, c.Header)
		}
	}
	return out
}

// Problem is one thing wrong with an import, placed by row and column so a
// clerk can find it in the sheet.
type Problem struct {
	Line   int
	Person string // the row's 姓名, so the clerk knows whom it is about
	Column string
	Msg    i18n.Msg
}

// ImportRow is one parsed line: a resident and the household they belong to.
type ImportRow struct {
	Line      int
	Village   string // name or code from the sheet, "" when the sheet has none
	Household HouseholdInput
	Resident  ResidentInput
}

// ParseImportRow maps a sheet row through the header to a household and a
// resident, normalises them, and returns every problem found by field
// validation, each under its column title.
func ParseImportRow(line int, cols map[string]int, cells []string, now time.Time) (ImportRow, []Problem) {
	get := func(header string) string {
		i, ok := cols[header]
		if !ok || i >= len(cells) {
			return ""
		}
		return cells[i]
	}
	row := ImportRow{Line: line, Village: Fold(get("所属村"))}
	row.Household = HouseholdInput{Number: get("户号"), Address: get("家庭住址")}
	row.Household.Normalize()
	rawID := get("身份证号")
	row.Resident = ResidentInput{
		Name: get("姓名"), NameMongol: get("蒙古文姓名"), Gender: Gender(get("性别")), Ethnicity: get("民族"),
		BirthDate: get("出生日期"), IDNumber: rawID, Phone: get("手机号"), Relation: get("与户主关系"), Political: get("政治面貌"),
	}
	row.Resident.Normalize(now)
	var fs fault.Fields
	row.Household.check(&fs)
	row.Resident.check(&fs, now)
	var out []Problem
	for _, f := range fs {
		if f.Name == "village" {
			continue // the village comes from the form or the 所属村 column, checked by the store
		}
		msg := f.Msg
		if f.Name == "id_number" && lostDigits(rawID) {
			msg = i18n.M("registry.id.lost_digits")
		}
		out = append(out, Problem{Line: line, Person: row.Resident.Name, Column: ColumnTitle(f.Name), Msg: msg})
	}
	return row, out
}

// lostDigits recognises an ID number that Excel stored as a number: shown
// in scientific notation, or padded with zeros after its fifteenth digit.
func lostDigits(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "Ee") && strings.Contains(s, "+") {
		return true
	}
	return len(s) == 18 && strings.HasSuffix(s, "000") && strings.Trim(s, "0123456789") == ""
}

// ColumnTitle names the sheet column of a validation field.
func ColumnTitle(field string) string {
	for _, c := range ImportColumns {
		if c.Key == field {
			return c.Header
		}
	}
	return field
}

// ImportMode says what a confirmed import does with rejected rows.
type ImportMode string

// The modes. Preview writes nothing; All writes every row or, when any row
// is rejected, none; SkipBad writes the accepted rows and reports the rest.
const (
	Preview ImportMode = "preview"
	All     ImportMode = "all"
	SkipBad ImportMode = "skip"
)

// ImportReport is what an import did, or would do in preview.
type ImportReport struct {
	Batch          int64
	Region         string // the region the sheet was imported into
	FileName       string
	Sheet          string
	Mode           ImportMode
	Rows           int
	NewHouseholds  int
	NewResidents   int
	Updated        int
	Unchanged      int
	Rejected       int // rows with at least one problem
	Problems       []Problem
	ProblemsCapped bool // more problems than the report keeps
	Committed      bool
}

// MaxProblems bounds the problems a report keeps: a sheet with a wrong
// column can fail every one of 100,000 rows, and nobody reads that list.
const MaxProblems = 1000

// AddProblem records a problem, keeping at most MaxProblems.
func (r *ImportReport) AddProblem(p Problem) {
	if len(r.Problems) >= MaxProblems {
		r.ProblemsCapped = true
		return
	}
	r.Problems = append(r.Problems, p)
}
