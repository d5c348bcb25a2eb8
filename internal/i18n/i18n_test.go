package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCataloguesAgree(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := c.Keys(ZH), c.Keys(EN)
	for _, k := range zh {
		if !c.Has(EN, k) {
			t.Errorf("en lacks %s", k)
		}
	}
	for _, k := range en {
		if !c.Has(ZH, k) {
			t.Errorf("zh-CN lacks %s", k)
		}
	}
	// A format's verbs must agree, or one language prints %!d(MISSING).
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, k := range zh {
		a, b := verbs.FindAllString(c.langs[ZH][k], -1), verbs.FindAllString(c.langs[EN][k], -1)
		if strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: zh-CN has %v, en has %v", k, a, b)
		}
	}
}

// TestEveryKeyUsedExists scans the source for message keys written as
// string literals and fails on any missing from the catalogue, so a typo
// cannot reach a user as a raw key.
func TestEveryKeyUsedExists(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"((?:api|audit|backup|user|token|role|reveal|export|card|villager|inspection|ranking|notice|award|award_import|period|market|error|registry|region|import|auth|event|page|nav|action|flash|field|col|list|household|talent|org|cadre|training|survey|app|ops|serve|cli|verify|rotate|honour|fund|privilege|credit)\.[a-z0-9_.]+)"`)
	root := filepath.Join("..")
	n := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".html") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			key := strings.TrimSuffix(m[1], ".")
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time, checked by rendering
			}
			n++
			if !c.Has(ZH, key) {
				t.Errorf("%s uses %q, which the catalogue lacks", p, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("found only %d key uses: the scan is broken", n)
	}
}

// TestNestedMessage renders a message quoting another in the same
// language, as a bulk refusal quotes its first failing row's refusal.
func TestNestedMessage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := M("talent.bulk.refused", "王晓景", M("talent.quota.full", 3))
	if got := c.Text(ZH, m); !strings.Contains(got, "王晓景") || !strings.Contains(got, c.T(ZH, "talent.quota.full", 3)) {
		t.Errorf("zh: %q", got)
	}
	if got := c.Text(EN, m); !strings.Contains(got, c.T(EN, "talent.quota.full", 3)) {
		t.Errorf("en: %q", got)
	}
}
