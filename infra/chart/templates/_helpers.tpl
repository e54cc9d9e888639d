{{- define "timonier.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "timonier.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" . "component" "api") */}}
{{- define "timonier.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "timonier.image" -}}
{{ printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) | quote }}
{{- end -}}

{{- define "timonier.secretName" -}}
{{ .Values.existingSecret | default (printf "%s-secrets" (include "timonier.fullname" .)) }}
{{- end -}}

{{- define "timonier.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "timonier.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* What every process of the platform is configured with. */}}
{{- define "timonier.env" -}}
{{ include "timonier.secretEnv" (dict "root" . "name" "DATABASE_URL" "key" "database-url") }}
{{ include "timonier.secretEnv" (dict "root" . "name" "REDIS_URL" "key" "redis-url") }}
{{ include "timonier.secretEnv" (dict "root" . "name" "TIMONIER_ADMIN_TOKEN" "key" "admin-token") }}
- name: TIMONIER_PUBLIC_URL
  value: {{ required "publicUrl is required: the URL of the management API" .Values.publicUrl | quote }}
- name: TIMONIER_KUBE_URL
  value: {{ required "kubeUrl is required: the URL of the clusters' Kubernetes API" .Values.kubeUrl | quote }}
- name: TIMONIER_QUEUE_PREFIX
  value: {{ .Values.queuePrefix | quote }}
- name: TIMONIER_RESYNC_SECONDS
  value: {{ .Values.resyncSeconds | quote }}
- name: TIMONIER_CLUSTER_NETWORK_POOL
  value: {{ .Values.clusterNetworkPool | quote }}
- name: TIMONIER_LOADBALANCER_POOL
  value: {{ .Values.loadBalancerPool | quote }}
- name: TIMONIER_INGRESS_DOMAIN
  value: {{ .Values.ingress.domain | quote }}
- name: TIMONIER_INGRESS_PORT
  value: {{ .Values.ingress.port | quote }}
- name: TIMONIER_INGRESS_TLS_PORT
  value: {{ .Values.ingress.tlsPort | quote }}
{{- with .Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
The Docker hosts of `nodes` as TIMONIER_DOCKER_HOSTS lists them (POST /v1/nodes' body): a host's
tlsSecret becomes its certPath, where the secret is mounted (timonier.dockerTlsMounts).
*/}}
{{- define "timonier.dockerHosts" -}}
{{- $hosts := list }}
{{- range .Values.nodes }}
{{- $host := omit . "tlsSecret" }}
{{- $_ := required "every node needs its name" .name }}
{{- $_ = required (printf "node %s needs its dockerHost" .name) .dockerHost }}
{{- $_ = required (printf "node %s needs its address" .name) .address }}
{{- if .tlsSecret }}
{{- $_ = set $host "certPath" (printf "/etc/timonier/docker/%s" .name) }}
{{- else if hasPrefix "tcp://" .dockerHost }}
{{- fail (printf "node %s: a tcp:// engine is reached over TLS only: give its tlsSecret" .name) }}
{{- end }}
{{- $hosts = append $hosts $host }}
{{- end }}
{{- toJson $hosts }}
{{- end -}}

{{/* The nodes' TLS secrets (ca.pem, cert.pem, key.pem), where the API and the agents read them. */}}
{{- define "timonier.dockerTlsMounts" -}}
{{- range .Values.nodes }}
{{- if .tlsSecret }}
- name: docker-tls-{{ .name }}
  mountPath: /etc/timonier/docker/{{ .name }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{- define "timonier.dockerTlsVolumes" -}}
{{- range .Values.nodes }}
{{- if .tlsSecret }}
- name: docker-tls-{{ .name }}
  secret:
    secretName: {{ .tlsSecret }}
{{- end }}
{{- end }}
{{- end -}}
