package provider

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
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

// TestIPRangeSchemaModelParity checks that the IP-range models have exactly their
// schemas' attributes and blocks, so a field added to one side only fails here rather
// than at the first Get.
func TestIPRangeSchemaModelParity(t *testing.T) {
	ctx := context.Background()
	var rs resource.SchemaResponse
	NewIPRangeResource().Schema(ctx, resource.SchemaRequest{}, &rs)
	schemaNames := append(slices.Collect(maps.Keys(rs.Schema.Attributes)), slices.Collect(maps.Keys(rs.Schema.Blocks))...)
	compareNames(t, "mda_ip_range", schemaNames, tfsdkNames(reflect.TypeFor[ipRangeResourceModel]()))

	var ex resource.SchemaResponse
	NewIPRangesExclusiveResource().Schema(ctx, resource.SchemaRequest{}, &ex)
	exNames := append(slices.Collect(maps.Keys(ex.Schema.Attributes)), slices.Collect(maps.Keys(ex.Schema.Blocks))...)
	compareNames(t, "mda_ip_ranges_exclusive", exNames, tfsdkNames(reflect.TypeFor[ipRangesExclusiveModel]()))
	if unmanaged, ok := ex.Schema.Attributes["unmanaged"].(rschema.ListNestedAttribute); !ok {
		t.Error("mda_ip_ranges_exclusive.unmanaged is not a list of nested attributes")
	} else {
		compareNames(t, "mda_ip_ranges_exclusive.unmanaged", slices.Collect(maps.Keys(unmanaged.NestedObject.Attributes)),
			tfsdkNames(reflect.TypeFor[unmanagedRangeModel]()))
	}

	for name, c := range map[string]struct {
		ds    datasource.DataSource
		model reflect.Type
	}{
		"mda_ip_range":        {NewIPRangeDataSource(), reflect.TypeFor[ipRangeDataModel]()},
		"mda_ip_ranges":       {NewIPRangesDataSource(), reflect.TypeFor[ipRangesDataSourceModel]()},
		"mda_entity":          {NewEntityDataSource(), reflect.TypeFor[entityDataSourceModel]()},
		"mda_entities":        {NewEntitiesDataSource(), reflect.TypeFor[entitiesDataSourceModel]()},
		"mda_file":            {NewFileDataSource(), reflect.TypeFor[fileDataModel]()},
		"mda_files":           {NewFilesDataSource(), reflect.TypeFor[filesDataSourceModel]()},
		"mda_activity":        {NewActivityDataSource(), reflect.TypeFor[activityDataModel]()},
		"mda_activities":      {NewActivitiesDataSource(), reflect.TypeFor[activitiesDataSourceModel]()},
		"mda_discovered_apps": {NewDiscoveredAppsDataSource(), reflect.TypeFor[discoveredAppsDataSourceModel]()},
	} {
		var ds datasource.SchemaResponse
		c.ds.Schema(ctx, datasource.SchemaRequest{}, &ds)
		compareNames(t, name, slices.Collect(maps.Keys(ds.Schema.Attributes)), tfsdkNames(c.model))
	}
	compareNames(t, "mda_discovered_apps.apps", slices.Collect(maps.Keys(discoveredAppAttributes())),
		tfsdkNames(reflect.TypeFor[discoveredAppModel]()))
}
