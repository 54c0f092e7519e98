package mda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// unmarshalExact decodes JSON like json.Unmarshal, except that object keys match struct
// field tags exactly, case included. encoding/json matches keys case-insensitively and
// lets the last of several equal-but-for-case keys win, and MDA's activity, entity and
// file payloads carry such pairs with different meanings ("Created" next to "created",
// "Id" next to "id", "fTags" next to "ftags"). A type that implements json.Unmarshaler
// decodes itself, as with json.Unmarshal; maps, slices and pointers are followed, so the
// rule holds at every depth. Keys without a field are ignored, and null leaves a field as
// it is.
func unmarshalExact(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("unmarshalExact: need a non-nil pointer, got %T", v)
	}
	return decodeExactValue(data, rv.Elem())
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func decodeExactValue(data []byte, v reflect.Value) error {
	data = bytes.TrimSpace(data)
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		return json.Unmarshal(data, v.Addr().Interface())
	}
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeExactValue(data, v.Elem())
	case reflect.Struct:
		return decodeExactStruct(data, v)
	case reflect.Slice:
		if !needsExact(v.Type().Elem()) {
			return json.Unmarshal(data, v.Addr().Interface())
		}
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			if err := decodeExactValue(item, s.Index(i)); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		if !needsExact(v.Type().Elem()) || v.Type().Key().Kind() != reflect.String {
			return json.Unmarshal(data, v.Addr().Interface())
		}
		var items map[string]json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		m := reflect.MakeMapWithSize(v.Type(), len(items))
		for k, item := range items {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeExactValue(item, e); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(m)
		return nil
	default:
		return json.Unmarshal(data, v.Addr().Interface())
	}
}

func decodeExactStruct(data []byte, v reflect.Value) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		raw, ok := obj[name]
		if !ok {
			continue
		}
		if err := decodeExactValue(raw, v.Field(i)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// needsExact reports whether values of t hold structs, whose keys must match exactly.
func needsExact(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return true // decodes itself, but through decodeExactValue like any other
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return needsExact(t.Elem())
	case reflect.Struct:
		return true
	default:
		return false
	}
}
