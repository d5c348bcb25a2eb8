// Package market is the points supermarket (乡风文明积分超市): stores that
// belong to a village or a township, goods priced in points, stock kept by
// movements, redemption at the counter, receipts, returns, and the reports
// a store is reconciled by. A redemption debits the household's points and
// every item's stock in one transaction or not at all.
package market

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
)

// Store is one counter. It serves every household whose village lies in
// its region: its own village, or every village of its township.
type Store struct {
	ID         int64
	Region     string
	RegionName string
	Name       string
	Address    string
	ReturnDays int // returns are taken this many days after a redemption
	Clerks     []string
	CreatedAt  time.Time
	// ClosedAt is when the store closed (停业), zero while it is open; a
	// closed store takes no redemption, and its households see why.
	ClosedAt     time.Time
	ClosedReason string
}

// Open reports whether the store takes redemptions.
func (s *Store) Open() bool { return s.ClosedAt.IsZero() }

// ClosingReason trims why a store closes and checks it is there and of
// a length its households can read on a phone.
func ClosingReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 100 {
		return "", fault.OnField(fault.Invalid, "reason", "market.closing_reason")
	}
	return reason, nil
}

// DefaultReturnDays is the return window a new store gets.
const DefaultReturnDays = 7

// Serves reports whether the store serves households of village.
func (s *Store) Serves(village string) bool { return regioncode.Covers(s.Region, village) }

// CanManage reports whether a may keep the store's goods and stock.
func CanManage(a *access.Actor, s *Store) bool { return a.Can(access.MarketManage, s.Region) }

// CanSell reports whether a may redeem at the store's counter: a clerk
// only at a store they are assigned to, staff who manage the store at any
// of its stores.
func CanSell(a *access.Actor, s *Store, assigned bool) bool {
	return a.Can(access.MarketSell, s.Region) && (assigned || CanManage(a, s))
}

// StoreInput opens or edits a store.
type StoreInput struct {
	Region     string
	Name       string
	Address    string
	ReturnDays int
}

// Validate reports every problem with a store's fields.
func (in *StoreInput) Validate() error {
	in.Name, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	var fs fault.Fields
	if l := regioncode.LevelOf(in.Region); l != regioncode.Village && l != regioncode.Township {
		fs.Add("region", "market.store_region")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 40 {
		fs.Add("name", "market.store_name")
	}
	if utf8.RuneCountInString(in.Address) > 100 {
		fs.Add("address", "market.address")
	}
	if in.ReturnDays < 0 || in.ReturnDays > 90 {
		fs.Add("return_days", "market.return_days")
	}
	return fs.Err()
}

// Period is how often a household's limit of one item starts afresh.
type Period string

// The limit periods; None means no limit.
const (
	None  Period = ""
	Week  Period = "week"
	Month Period = "month"
	Year  Period = "year"
)

// Name is the period's catalogue name: none for no limit.
func (p Period) Name() string {
	if p == None {
		return "none"
	}
	return string(p)
}

// Periods lists the limit periods in the order forms show them.
var Periods = []Period{None, Week, Month, Year}

// Start returns when the period containing t began, in the deployment's
// zone, so a month's limit renews at local midnight; the zero time for
// None.
func (p Period) Start(t time.Time) time.Time {
	loc := localtime.Zone()
	t = t.In(loc)
	y, m, d := t.Date()
	switch p {
	case Week:
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		back := (int(day.Weekday()) + 6) % 7 // weeks start on Monday
		return day.AddDate(0, 0, -back)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}

// Day is the local date of t, the day reports group by.
func Day(t time.Time) string { return localtime.Day(t) }

// ParseDay reads a 'YYYY-MM-DD' date as local midnight.
func ParseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, localtime.Zone())
	return t, err == nil
}

// Goods is one item on a store's shelf.
type Goods struct {
	ID        int64
	Store     int64
	Name      string
	Category  string
	Unit      string
	Price     int64 // points per unit
	Stock     int64
	Limit     int64 // units per household per LimitPer; 0 is no limit
	LimitPer  Period
	OnShelf   bool
	HasPhoto  bool
	PriceFrom time.Time // when the current price took effect
}

// Price is one price a goods item had, from a date on.
type Price struct {
	Price int64
	From  time.Time
	Actor string
}

// MaxPrice bounds a price; nothing in a village shop is worth more.
const MaxPrice = 100_000

// MaxQty bounds one line of a basket and one stock movement.
const MaxQty = 100_000

// MaxPhoto is the largest photo a goods item may carry: a phone photo
// scaled for a shelf card, not an archive.
const MaxPhoto = 512 << 10

// GoodsInput creates an item (ID 0) or edits one; a changed price is
// recorded with its date, and redemptions keep the price they were made at.
type GoodsInput struct {
	ID       int64
	Store    int64
	Name     string
	Category string
	Unit     string
	Price    int64
	Limit    int64
	LimitPer Period
	OnShelf  bool
}

// Validate reports every problem with an item's fields.
func (in *GoodsInput) Validate() error {
	in.Name, in.Category, in.Unit = strings.TrimSpace(in.Name), strings.TrimSpace(in.Category), strings.TrimSpace(in.Unit)
	var fs fault.Fields
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 40 {
		fs.Add("name", "market.goods_name")
	}
	if utf8.RuneCountInString(in.Category) > 20 {
		fs.Add("category", "market.category")
	}
	if n := utf8.RuneCountInString(in.Unit); n == 0 || n > 6 {
		fs.Add("unit", "market.unit")
	}
	if in.Price <= 0 || in.Price > MaxPrice {
		fs.Add("price", "market.price", MaxPrice)
	}
	if !slices.Contains(Periods, in.LimitPer) {
		fs.Add("limit_per", "market.limit_per")
	}
	switch {
	case in.Limit < 0 || in.Limit > MaxQty:
		fs.Add("limit", "market.limit")
	case in.Limit > 0 && in.LimitPer == None, in.Limit == 0 && in.LimitPer != None:
		fs.Add("limit", "market.limit_pair")
	}
	return fs.Err()
}

// Source is where an inbound delivery came from.
type Source string

// The sources: bought with village funds, or donated.
const (
	Funds      Source = "funds"
	Enterprise Source = "enterprise"
	Person     Source = "person"
)

// Sources lists the sources in the order forms show them.
var Sources = []Source{Funds, Enterprise, Person}

// MoveKind is what changed a goods item's stock.
type MoveKind string

// The stock movements. In and Return add; Sale takes; Adjust and Count
// go either way with a reason.
const (
	MoveIn     MoveKind = "in"
	MoveSale   MoveKind = "sale"
	MoveReturn MoveKind = "return"
	MoveAdjust MoveKind = "adjust"
	MoveCount  MoveKind = "count"
)

// Inbound is a delivery onto the shelf. A donor is thanked on the public
// page only if they agreed to it.
type Inbound struct {
	Store  int64
	Goods  int64
	Qty    int64
	Source Source
	Donor  string
	Thank  bool
	Memo   string
}

// Validate reports every problem with a delivery.
func (in *Inbound) Validate() error {
	in.Donor = strings.TrimSpace(in.Donor)
	fs := movement(in.Goods, &in.Memo)
	if in.Qty <= 0 || in.Qty > MaxQty {
		fs.Add("qty", "market.qty", MaxQty)
	}
	switch {
	case !slices.Contains(Sources, in.Source):
		fs.Add("source", "market.source")
	case in.Source == Funds && in.Donor != "":
		fs.Add("donor", "market.donor_funds")
	case in.Source != Funds && in.Donor == "":
		fs.Add("donor", "market.donor")
	}
	if in.Source == Funds {
		in.Thank = false
	}
	if utf8.RuneCountInString(in.Donor) > 60 && !fs.Has("memo") {
		fs.Add("memo", "market.memo")
	}
	return fs.Err()
}

// movement checks what every stock movement names: an item, and a note
// of reasonable length, which it trims.
func movement(goods int64, memo *string) fault.Fields {
	*memo = strings.TrimSpace(*memo)
	var fs fault.Fields
	if goods <= 0 {
		fs.Add("goods", "market.goods")
	}
	if utf8.RuneCountInString(*memo) > 200 {
		fs.Add("memo", "market.memo")
	}
	return fs
}

// Reason is why stock was adjusted by hand.
type Reason string

// The adjustment reasons.
const (
	Damaged    Reason = "damaged"
	Expired    Reason = "expired"
	Correction Reason = "correction"
)

// Reasons lists the reasons in the order forms show them.
var Reasons = []Reason{Damaged, Expired, Correction}

// Adjustment changes one item's stock by Delta for a reason.
type Adjustment struct {
	Store  int64
	Goods  int64
	Delta  int64
	Reason Reason
	Memo   string
}

// Validate reports every problem with an adjustment.
func (in *Adjustment) Validate() error {
	fs := movement(in.Goods, &in.Memo)
	if in.Delta == 0 || in.Delta > MaxQty || in.Delta < -MaxQty {
		fs.Add("delta", "market.delta", MaxQty)
	}
	if !slices.Contains(Reasons, in.Reason) {
		fs.Add("reason", "market.reason")
	}
	return fs.Err()
}

// CountLine is one item of a stock count (盘点): what the books expected
// and what was on the shelf.
type CountLine struct {
	Goods    int64
	Name     string
	Unit     string
	Price    int64
	Expected int64
	Counted  int64
}

// Variance is counted minus expected: negative is a loss.
func (l CountLine) Variance() int64 { return l.Counted - l.Expected }

// VariancePoints is the variance valued at the item's price.
func (l CountLine) VariancePoints() int64 { return l.Variance() * l.Price }

// Count is a finished stock count and its variance report.
type Count struct {
	ID    int64
	Store int64
	Actor string
	At    time.Time
	Lines []CountLine
}

// Loss is the points value of everything missing, net of surpluses.
func (c *Count) Loss() int64 {
	var v int64
	for _, l := range c.Lines {
		v -= l.VariancePoints()
	}
	return v
}

// Item is one line of a basket as the counter sends it.
type Item struct {
	Goods int64
	Qty   int64
}

// Basket is a redemption as asked for: a household, named by its id or by
// the token on its card, and the items. Key is the idempotency key drawn
// with the basket page, so a double click or a retry redeems once.
type Basket struct {
	Key       string
	Store     int64
	Household int64
	Card      string
	Items     []Item
}

// MaxLines bounds a basket; a counter never hands over more kinds at once.
const MaxLines = 50

// Normalize trims the key and the card, drops empty lines and merges lines
// of one item, in goods order, so two baskets asking for the same things
// are the same request.
func (b *Basket) Normalize() {
	b.Key, b.Card = strings.TrimSpace(b.Key), CardToken(b.Card)
	qty := map[int64]int64{}
	for _, it := range b.Items {
		if it.Qty != 0 || it.Goods <= 0 {
			qty[it.Goods] += it.Qty
		}
	}
	b.Items = make([]Item, 0, len(qty)) // never the caller's array, which a retry sends again
	for g, q := range qty {
		b.Items = append(b.Items, Item{Goods: g, Qty: q})
	}
	slices.SortFunc(b.Items, func(x, y Item) int { return int(x.Goods - y.Goods) })
}

// CardToken reads what a scanner typed: the card's QR holds a link ending
// in /card/<token>, and the token alone is accepted too.
func CardToken(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/card/"); i >= 0 {
		s = s[i+len("/card/"):]
	}
	return strings.TrimRight(s, "/")
}

// Validate reports every problem with a basket.
func (b *Basket) Validate() error {
	var fs fault.Fields
	if b.Key == "" || len(b.Key) > 100 {
		fs.Add("key", "market.key")
	}
	if (b.Household <= 0) == (b.Card == "") {
		fs.Add("household", "market.household")
	}
	switch {
	case len(b.Items) == 0:
		fs.Add("items", "market.empty")
	case len(b.Items) > MaxLines:
		fs.Add("items", "market.lines", MaxLines)
	}
	for _, it := range b.Items {
		if it.Goods <= 0 || it.Qty <= 0 || it.Qty > MaxQty {
			fs.Add("items", "market.item_qty", MaxQty)
			break
		}
	}
	return fs.Err()
}

// Fingerprint identifies a basket's content, after Normalize: the same key
// with the same basket is a retry, with another basket a conflict.
func (b *Basket) Fingerprint(household int64) string {
	var sb strings.Builder
	sb.WriteString(strconv.FormatInt(b.Store, 10))
	sb.WriteByte(0x1f)
	sb.WriteString(strconv.FormatInt(household, 10))
	for _, it := range b.Items {
		sb.WriteByte(0x1f)
		sb.WriteString(strconv.FormatInt(it.Goods, 10))
		sb.WriteByte('x')
		sb.WriteString(strconv.FormatInt(it.Qty, 10))
	}
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:16])
}

// Line is one item of a redemption at the price it was made at.
type Line struct {
	Goods int64
	Name  string
	Unit  string
	Price int64
	Qty   int64
}

// Amount is the line's points.
func (l Line) Amount() int64 { return l.Price * l.Qty }

// Total adds up a redemption's lines.
func Total(lines []Line) int64 {
	var t int64
	for _, l := range lines {
		t += l.Amount()
	}
	return t
}

// Summary names a redemption's items for the ledger entry, within the
// ledger's 100 characters: 肥皂×2、食用油×1.
func Summary(lines []Line) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = l.Name + "×" + strconv.FormatInt(l.Qty, 10)
	}
	s := strings.Join(parts, "、")
	if utf8.RuneCountInString(s) > 100 {
		s = string([]rune(s)[:99]) + "…"
	}
	return s
}

// Redemption is a completed exchange of points for goods: the receipt.
type Redemption struct {
	ID             int64
	Store          int64
	StoreName      string
	Household      int64
	HouseholdNo    string
	Head           string
	Village        string
	VillageName    string
	Lines          []Line
	Total          int64
	Balance        int64 // the household's balance right after
	Entry          int64 // the ledger entry that debited the points
	Actor          string
	At             time.Time
	Returned       bool
	ReturnedAt     time.Time
	ReturnReason   string
	ReturnDeadline time.Time
	// ReturnBalance is the household's balance right after the return put
	// the points back (the reversal's); 0 until returned. A returned
	// receipt prints it, since Balance is the one before.
	ReturnBalance int64
	// Replayed is set when a retried request found this redemption
	// already made, rather than making it.
	Replayed bool
}

// Customer is a household at the counter: who, how many points, and how
// much of each limited item is still allowed this period.
type Customer struct {
	Household   int64
	Number      string
	Head        string
	Village     string
	VillageName string
	Balance     int64
	Used        map[int64]int64 // goods id → units already taken this period
}

// Left returns how many units of g the customer may still take, or -1
// when the item has no limit.
func (c *Customer) Left(g Goods) int64 {
	if g.Limit == 0 {
		return -1
	}
	return max(g.Limit-c.Used[g.ID], 0)
}

// DayRow is one day (or month) of a store's redemption report.
type DayRow struct {
	Day        string // 2026-06-01, or 2026-06 in a monthly report
	Count      int
	Points     int64
	Returns    int
	Returned   int64
	Households int
}

// Net is the points the period kept after returns.
func (d DayRow) Net() int64 { return d.Points - d.Returned }

// FlowRow is one item's goods flow over a period (进销存): opening stock,
// deliveries, returns, sales, adjustments and closing stock.
type FlowRow struct {
	Goods    int64
	Name     string
	Unit     string
	Price    int64
	Opening  int64
	In       int64
	Returned int64
	Out      int64
	Adjusted int64
	Closing  int64
}

// Liability sets the points outstanding across the households a store
// serves against the value, in points, of the stock on its shelves.
type Liability struct {
	Households  int   // households served
	Holders     int   // of them, holding points
	Outstanding int64 // points they hold
	StockValue  int64 // stock × price of the goods on shelf
	StockAll    int64 // the same over every item, on shelf or not
}

// Covered is the stock value as a percentage of the points outstanding.
func (l Liability) Covered() int64 {
	if l.Outstanding == 0 {
		return 100
	}
	return l.StockValue * 100 / l.Outstanding
}

// Thanks is a donation whose donor agreed to be thanked publicly.
type Thanks struct {
	Donor string
	Goods string
	Qty   int64
	Unit  string
	At    time.Time
}

// Catalogue is what a villager sees of a store serving them.
type Catalogue struct {
	Store  Store
	Goods  []Goods
	Thanks []Thanks
}

// Service runs the stores. Methods return fault.NotFound for a store,
// item or redemption the actor may not see, fault.Invalid for bad fields,
// and fault.Conflict when stock, points or a limit falls short (naming
// what), when a key is reused for another basket, and when a redemption
// is returned twice or too late.
type Service interface {
	CreateStore(ctx context.Context, a *access.Actor, in StoreInput) (*Store, error)
	UpdateStore(ctx context.Context, a *access.Actor, id int64, in StoreInput) (*Store, error)
	// Stores lists the stores the actor manages or is a clerk at.
	Stores(ctx context.Context, a *access.Actor) ([]Store, error)
	Store(ctx context.Context, a *access.Actor, id int64) (*Store, error)
	// AssignClerk assigns (or with remove, unassigns) a user who may sell
	// at the store's region.
	AssignClerk(ctx context.Context, a *access.Actor, store int64, username string, remove bool) error
	// CloseStore closes a store for a reason (ClosingReason); ReopenStore
	// opens it again. Each refuses a store already so.
	CloseStore(ctx context.Context, a *access.Actor, id int64, reason string) (*Store, error)
	ReopenStore(ctx context.Context, a *access.Actor, id int64) (*Store, error)

	SaveGoods(ctx context.Context, a *access.Actor, in GoodsInput) (*Goods, error)
	Goods(ctx context.Context, a *access.Actor, store int64) ([]Goods, error)
	Prices(ctx context.Context, a *access.Actor, store, goods int64) ([]Price, error)
	SetPhoto(ctx context.Context, a *access.Actor, store, goods int64, data []byte) error
	// Photo returns a goods item's photo to anyone: goods are public.
	Photo(ctx context.Context, goods int64) ([]byte, string, error)

	Receive(ctx context.Context, a *access.Actor, in Inbound) (*Goods, error)
	Adjust(ctx context.Context, a *access.Actor, in Adjustment) (*Goods, error)
	// StockCount records a count and sets each counted item's stock to
	// what was counted, each difference a movement.
	StockCount(ctx context.Context, a *access.Actor, store int64, counted map[int64]int64) (*Count, error)
	Counts(ctx context.Context, a *access.Actor, store int64) ([]Count, error)

	// FindCustomers looks a household up for the counter by card token,
	// name, pinyin initials or 户号, among those the store serves.
	FindCustomers(ctx context.Context, a *access.Actor, store int64, query string) ([]Customer, error)
	Customer(ctx context.Context, a *access.Actor, store, household int64) (*Customer, error)
	Redeem(ctx context.Context, a *access.Actor, b Basket) (*Redemption, error)
	Redemption(ctx context.Context, a *access.Actor, id int64) (*Redemption, error)
	Return(ctx context.Context, a *access.Actor, id int64, reason string) (*Redemption, error)
	Redemptions(ctx context.Context, a *access.Actor, store int64, from, to time.Time) ([]Redemption, error)

	Daily(ctx context.Context, a *access.Actor, store int64, from, to time.Time, monthly bool) ([]DayRow, error)
	Flow(ctx context.Context, a *access.Actor, store int64, from, to time.Time) ([]FlowRow, error)
	Liability(ctx context.Context, a *access.Actor, store int64) (*Liability, error)

	// Catalogue lists, for a villager, the stores serving their village
	// with the goods on their shelves; MyRedemptions their household's.
	Catalogue(ctx context.Context, a *access.Actor) ([]Catalogue, error)
	MyRedemptions(ctx context.Context, a *access.Actor) ([]Redemption, error)
	// PublicCatalogue is the same shelf for anyone, by village code.
	PublicCatalogue(ctx context.Context, village string) ([]Catalogue, error)
}
