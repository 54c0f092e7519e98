package provider

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestSchemasAreDescribed walks every schema the provider serves: the docs are generated
// from these descriptions, so an attribute without one is a blank line in the registry.
func TestSchemasAreDescribed(t *testing.T) {
	ctx := context.Background()
	p := New("test")()

	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	for name, a := range ps.Schema.Attributes {
		checkDescribed(t, "provider", name, a.GetMarkdownDescription())
	}

	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mda"}, &meta)
		var rs resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &rs)
		checkDescribed(t, meta.TypeName, "(resource)", rs.Schema.MarkdownDescription)
		walkResourceAttributes(t, meta.TypeName, rs.Schema.Attributes)
		for name, b := range rs.Schema.Blocks {
			checkDescribed(t, meta.TypeName, name, b.GetMarkdownDescription())
			if nested, ok := b.(rschema.SingleNestedBlock); ok {
				walkResourceAttributes(t, meta.TypeName+"."+name, nested.Attributes)
			}
		}
	}

	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "mda"}, &meta)
		var ds datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &ds)
		checkDescribed(t, "data."+meta.TypeName, "(data source)", ds.Schema.MarkdownDescription)
		walkDataSourceAttributes(t, "data."+meta.TypeName, ds.Schema.Attributes)
		for name, b := range ds.Schema.Blocks {
			checkDescribed(t, "data."+meta.TypeName, name, b.GetMarkdownDescription())
		}
	}
}

func walkResourceAttributes(t *testing.T, where string, attrs map[string]rschema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		checkDescribed(t, where, name, a.GetMarkdownDescription()+a.GetDescription())
		switch n := a.(type) {
		case rschema.SingleNestedAttribute:
			walkResourceAttributes(t, where+"."+name, n.Attributes)
		case rschema.ListNestedAttribute:
			walkResourceAttributes(t, where+"."+name, n.NestedObject.Attributes)
		case rschema.SetNestedAttribute:
			walkResourceAttributes(t, where+"."+name, n.NestedObject.Attributes)
		}
	}
}

func walkDataSourceAttributes(t *testing.T, where string, attrs map[string]dschema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		checkDescribed(t, where, name, a.GetMarkdownDescription()+a.GetDescription())
		switch n := a.(type) {
		case dschema.SingleNestedAttribute:
			walkDataSourceAttributes(t, where+"."+name, n.Attributes)
		case dschema.ListNestedAttribute:
			walkDataSourceAttributes(t, where+"."+name, n.NestedObject.Attributes)
		case dschema.SetNestedAttribute:
			walkDataSourceAttributes(t, where+"."+name, n.NestedObject.Attributes)
		}
	}
}

func checkDescribed(t *testing.T, where, name, description string) {
	t.Helper()
	if len(description) < 10 {
		t.Errorf("%s: %s has no real description (%q)", where, name, description)
	}
}

// schemaModels names the model of every resource ("mda_x") and data source ("data.mda_x")
// the provider serves. TestSchemaModelParity fails for a type missing here, so a new
// resource or data source cannot skip the check.
var schemaModels = map[string]reflect.Type{
	"mda_ip_range":                    reflect.TypeFor[ipRangeResourceModel](),
	"mda_ip_ranges_exclusive":         reflect.TypeFor[ipRangesExclusiveModel](),
	"mda_alert_state":                 reflect.TypeFor[alertStateResourceModel](),
	"mda_discovery_log_upload":        reflect.TypeFor[discoveryLogUploadResourceModel](),
	"data.mda_ip_range":               reflect.TypeFor[ipRangeDataModel](),
	"data.mda_ip_ranges":              reflect.TypeFor[ipRangesDataSourceModel](),
	"data.mda_alert":                  reflect.TypeFor[alertDataSourceModel](),
	"data.mda_alerts":                 reflect.TypeFor[alertsDataSourceModel](),
	"data.mda_activity":               reflect.TypeFor[activityDataModel](),
	"data.mda_activities":             reflect.TypeFor[activitiesDataSourceModel](),
	"data.mda_entity":                 reflect.TypeFor[entityDataSourceModel](),
	"data.mda_entities":               reflect.TypeFor[entitiesDataSourceModel](),
	"data.mda_file":                   reflect.TypeFor[fileDataModel](),
	"data.mda_files":                  reflect.TypeFor[filesDataSourceModel](),
	"data.mda_discovery_streams":      reflect.TypeFor[discoveryStreamsDataSourceModel](),
	"data.mda_discovery_categories":   reflect.TypeFor[discoveryCategoriesDataSourceModel](),
	"data.mda_discovery_block_script": reflect.TypeFor[discoveryBlockScriptDataSourceModel](),
	"data.mda_discovered_apps":        reflect.TypeFor[discoveredAppsDataSourceModel](),
	"data.mda_discovered_app":         reflect.TypeFor[discoveredAppDataModel](),
}

// TestSchemaModelParity checks that every model has exactly its schema's attributes and
// blocks, nested objects included, so that a field added to one side only fails here
// rather than at the first Get or Set.
func TestSchemaModelParity(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	seen := map[string]bool{}
	// A schema's type holds its attributes and its blocks alike.
	check := func(name string, attrs map[string]attr.Type) {
		seen[name] = true
		model, ok := schemaModels[name]
		if !ok {
			t.Errorf("%s has no entry in schemaModels: add its model there", name)
			return
		}
		compareTree(t, name, attrs, model)
	}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mda"}, &meta)
		var rs resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &rs)
		check(meta.TypeName, attributeTypes(t, rs.Schema.Type()))
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "mda"}, &meta)
		var ds datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &ds)
		check("data."+meta.TypeName, attributeTypes(t, ds.Schema.Type()))
	}
	for name := range schemaModels {
		if !seen[name] {
			t.Errorf("schemaModels names %s, which the provider does not serve", name)
		}
	}
}

// attributeTypes lists the attribute types of a schema's object type.
func attributeTypes(t *testing.T, typ attr.Type) map[string]attr.Type {
	t.Helper()
	obj, ok := typ.(attr.TypeWithAttributeTypes)
	if !ok {
		t.Fatalf("a schema's type is %T, not an object type", typ)
	}
	return obj.AttributeTypes()
}

// compareTree compares the names at one level with the model's tfsdk fields and descends
// into nested objects whose model field is a struct, a pointer to one or a slice of them
// (a timeouts block's field is a framework value, compared by name only).
func compareTree(t *testing.T, where string, attrs map[string]attr.Type, model reflect.Type) {
	t.Helper()
	fields := tfsdkFields(model)
	compareNames(t, where, slices.Collect(maps.Keys(attrs)), slices.Collect(maps.Keys(fields)))
	for name, typ := range attrs {
		field, ok := fields[name]
		if !ok {
			continue
		}
		if obj := nestedObject(typ); obj != nil {
			if sub := structOf(field); sub != nil {
				compareTree(t, where+"."+name, obj.AttrTypes, sub)
			}
		}
	}
}

// nestedObject is the object type of a nested attribute (single, list or set), or nil.
func nestedObject(typ attr.Type) *types.ObjectType {
	switch v := typ.(type) {
	case types.ObjectType:
		return &v
	case types.ListType:
		return nestedObject(v.ElemType)
	case types.SetType:
		return nestedObject(v.ElemType)
	}
	return nil
}

// structOf is the model struct behind a field (T, *T or []T), or nil for framework values
// (types.List and the like) whose content a model does not spell out.
func structOf(typ reflect.Type) reflect.Type {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ.Implements(reflect.TypeFor[attr.Value]()) {
		return nil
	}
	return typ
}

// tfsdkFields maps a model's tfsdk tags to their field types, embedded structs included.
func tfsdkFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			maps.Copy(out, tfsdkFields(f.Type))
			continue
		}
		if tag, _, _ := strings.Cut(f.Tag.Get("tfsdk"), ","); tag != "" && tag != "-" {
			out[tag] = f.Type
		}
	}
	return out
}
