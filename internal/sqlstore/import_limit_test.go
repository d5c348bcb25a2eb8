package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/sqlstore/storetest"
)

// TestImportNamesTheCap uploads a register whose one field is longer than
// any cell may be: the import is refused, saying in Chinese which cap.
func TestImportNamesTheCap(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	csv := "户号,姓名,性别,民族,出生日期,身份证号,与户主关系\n001,\"" + strings.Repeat("长", 40_000) + "\",男,汉族,1970-01-01,,户主\n"
	_, err := db.Registry().StageImport(context.Background(), admin, pingan, "台账.csv", []byte(csv))
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.Invalid || fe.Msg.Key != "import.limit.cell" {
		t.Fatalf("a 120 KB cell: %v", err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if msg := cat.Text(i18n.Lang("zh-CN"), fe.Msg); !strings.Contains(msg, "单元格") || !strings.Contains(msg, "98301") {
		t.Fatalf("message %q", msg)
	}
}
