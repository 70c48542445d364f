// Renders ApplicationSets the way Argo CD's ApplicationSet controller does, for the tests.
//
// Argo CD (applicationset/utils/utils.go) renders a goTemplate ApplicationSet by walking the
// template and executing every string field on its own with Go's text/template, sprig's generic
// functions without env, expandenv and getHostByName, and the ApplicationSet's goTemplateOptions
// (here missingkey=error); a list generator passes each element as the parameters, nested maps
// included. RollingSync (applicationset/controllers, progressive sync) then puts every generated
// Application into the first step whose matchExpressions (In / NotIn on its labels) all match.
//
// Input on stdin: a JSON array of ApplicationSet objects. Output on stdout: per ApplicationSet the
// generated Applications (name, labels, source) and the Applications each step selects.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig" // Debian's golang-github-masterminds-sprig-dev (sprig 3.2.3) in GOPATH mode
)

type expression struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

type step struct {
	MatchExpressions []expression `json:"matchExpressions"`
	MaxUpdate        interface{}  `json:"maxUpdate"`
}

type appSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool     `json:"goTemplate"`
		GoTemplateOptions []string `json:"goTemplateOptions"`
		Generators        []struct {
			List *struct {
				Elements []map[string]interface{} `json:"elements"`
			} `json:"list"`
		} `json:"generators"`
		Strategy struct {
			Type        string `json:"type"`
			RollingSync struct {
				Steps []step `json:"steps"`
			} `json:"rollingSync"`
		} `json:"strategy"`
		Template map[string]interface{} `json:"template"`
	} `json:"spec"`
}

type application struct {
	Name   string                 `json:"name"`
	Labels map[string]string      `json:"labels"`
	Spec   map[string]interface{} `json:"spec"`
}

type result struct {
	Name         string        `json:"name"`
	Applications []application `json:"applications"`
	Steps        [][]string    `json:"steps"`
	Unmatched    []string      `json:"unmatched"`
	Errors       []string      `json:"errors"`
}

func funcMap() template.FuncMap {
	f := sprig.GenericFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	delete(f, "getHostByName")
	return template.FuncMap(f)
}

// Parsed templates by text: Argo CD parses each field per Application; parsing once per distinct
// text gives the same output and keeps 75,000 Applications to seconds here.
var parsed = map[string]*template.Template{}

// render walks a value and executes every string as its own template, as Argo CD does.
func render(v interface{}, params map[string]interface{}, options []string, funcs template.FuncMap) (interface{}, error) {
	switch t := v.(type) {
	case string:
		key := fmt.Sprint(options) + "\x00" + t
		tmpl, ok := parsed[key]
		if !ok {
			var err error
			tmpl, err = template.New("").Funcs(funcs).Option(options...).Parse(t)
			if err != nil {
				return nil, err
			}
			parsed[key] = tmpl
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, params); err != nil {
			return nil, err
		}
		return out.String(), nil
	case map[string]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			r, err := render(x, params, options, funcs)
			if err != nil {
				return nil, err
			}
			m[k] = r
		}
		return m, nil
	case []interface{}:
		s := make([]interface{}, len(t))
		for i, x := range t {
			r, err := render(x, params, options, funcs)
			if err != nil {
				return nil, err
			}
			s[i] = r
		}
		return s, nil
	default:
		return v, nil
	}
}

func matches(s step, labels map[string]string) bool {
	for _, e := range s.MatchExpressions {
		value, present := labels[e.Key]
		in := false
		for _, v := range e.Values {
			if present && v == value {
				in = true
			}
		}
		if (e.Operator == "In" && !in) || (e.Operator == "NotIn" && in) {
			return false
		}
	}
	return true
}

func main() {
	var sets []appSet
	if err := json.NewDecoder(os.Stdin).Decode(&sets); err != nil {
		fmt.Fprintln(os.Stderr, "input:", err)
		os.Exit(2)
	}
	funcs := funcMap()
	results := []result{}
	for _, set := range sets {
		r := result{Name: set.Metadata.Name, Applications: []application{}, Steps: make([][]string, len(set.Spec.Strategy.RollingSync.Steps)), Unmatched: []string{}, Errors: []string{}}
		for i := range r.Steps {
			r.Steps[i] = []string{}
		}
		for _, g := range set.Spec.Generators {
			if g.List == nil {
				r.Errors = append(r.Errors, "a generator other than list")
				continue
			}
			for _, element := range g.List.Elements {
				rendered, err := render(set.Spec.Template, element, set.Spec.GoTemplateOptions, funcs)
				if err != nil {
					r.Errors = append(r.Errors, err.Error())
					continue
				}
				tmpl := rendered.(map[string]interface{})
				meta, _ := tmpl["metadata"].(map[string]interface{})
				app := application{Labels: map[string]string{}}
				app.Name, _ = meta["name"].(string)
				if labels, ok := meta["labels"].(map[string]interface{}); ok {
					for k, v := range labels {
						app.Labels[k], _ = v.(string)
					}
				}
				app.Spec, _ = tmpl["spec"].(map[string]interface{})
				r.Applications = append(r.Applications, app)
				// RollingSync: the first step whose expressions all match.
				matched := false
				for i, s := range set.Spec.Strategy.RollingSync.Steps {
					if matches(s, app.Labels) {
						r.Steps[i] = append(r.Steps[i], app.Name)
						matched = true
						break
					}
				}
				if !matched {
					r.Unmatched = append(r.Unmatched, app.Name)
				}
			}
		}
		results = append(results, r)
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "output:", err)
		os.Exit(2)
	}
}
