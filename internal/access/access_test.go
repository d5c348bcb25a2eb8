package access

import "testing"

func TestSeparationOfDuties(t *testing.T) {
	business := []Permission{RegistryRead, RegistryWrite, RegionManage, PersonalReveal, ExportFull, OwnHousehold}
	admin := map[Role]Permission{SysAdmin: UserManage, SecAdmin: RoleManage, AuditAdmin: AuditRead}
	for r, own := range admin {
		for _, p := range business {
			if Has(r, p) {
				t.Errorf("%s holds business permission %s", r, p)
			}
		}
		for other, p := range admin {
			if other != r && Has(r, p) {
				t.Errorf("%s can do %s's job (%s)", r, other, p)
			}
		}
		if !Has(r, own) {
			t.Errorf("%s lacks %s", r, own)
		}
	}
	for _, r := range Roles {
		if !r.Admin() && (Has(r, UserManage) || Has(r, RoleManage) || Has(r, AuditRead)) {
			t.Errorf("business role %s holds an administrator permission", r)
		}
	}
}

func TestScopeAndSecondFactor(t *testing.T) {
	town := &Actor{Grants: []Grant{{Role: Operator, Region: "152221100000"}}}
	village := &Actor{Grants: []Grant{{Role: Operator, Region: "152221100210"}}}
	if !town.Can(RegistryWrite, "152221100210") || town.Can(RegistryWrite, "152221101201") || village.Can(RegistryRead, "152221100000") {
		t.Fatal("scope: a township reaches its villages only, a village not its township")
	}
	if !town.NeedsSecondFactor() || village.NeedsSecondFactor() {
		t.Fatal("second factor: township officials need it, village staff do not")
	}
	if !(&Actor{Grants: []Grant{{Role: AuditAdmin, Region: "150000000000"}}}).NeedsSecondFactor() {
		t.Fatal("administrators always need a second factor")
	}
	var nobody *Actor
	if nobody.Can(RegistryRead, "152221100210") || nobody.NeedsSecondFactor() {
		t.Fatal("a nil actor can do nothing")
	}
}
