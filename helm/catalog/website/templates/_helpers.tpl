{{- define "website.fullname" -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "website.labels" -}}
app.kubernetes.io/name: website-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
