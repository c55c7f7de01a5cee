{{/* Names and labels shared by every template. */}}
{{- define "leadflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "leadflow.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "leadflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leadflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "leadflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "leadflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "leadflow.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "leadflow.secretName" -}}
{{- default (include "leadflow.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/*
The ConfigMap and the chart's Secret are hooks that run before the migration Job (weight -10), so
the Job finds them on a first install, when no ordinary resource exists yet; pre-rollback keeps
them in step with the revision rolled back to. Helm never deletes hook resources on uninstall.
*/}}
{{- define "leadflow.configHookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade,pre-rollback
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{/* Keys every process must read from the Secret: unset, each pod would generate its own. */}}
{{- define "leadflow.requiredSecretKeys" -}}
DATABASE_URL PAYLOAD_ENCRYPTION_KEYS LEAD_ID_SECRET INBOX_CREDENTIALS_KEY UNSUBSCRIBE_SECRET
{{- end -}}

{{/*
The environment of every leadflow container: the ConfigMap and the Secret whole (optional extra
keys), then the required keys by name, so a Secret that lacks one fails the pod saying which.
*/}}
{{- define "leadflow.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "leadflow.fullname" . }}
  - secretRef:
      name: {{ include "leadflow.secretName" . }}
env:
{{- range (include "leadflow.requiredSecretKeys" . | splitList " ") }}
  - name: {{ . }}
    valueFrom:
      secretKeyRef:
        name: {{ include "leadflow.secretName" $ }}
        key: {{ . }}
{{- end }}
{{- with .Values.temporal.apiKey }}
{{- if .existingSecret }}
  - name: TEMPORAL_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ .existingSecret }}
        key: {{ .existingSecretKey }}
{{- else if .value }}
  - name: TEMPORAL_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ include "leadflow.secretName" $ }}
        key: TEMPORAL_API_KEY
{{- end }}
{{- end }}
{{- end -}}

{{/* The pod-level settings every leadflow pod shares. */}}
{{- define "leadflow.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* Where temporal.tls.existingSecret's files are mounted (TEMPORAL_TLS_*_PATH point here). */}}
{{- define "leadflow.tlsDir" -}}
/etc/leadflow/temporal-tls
{{- end -}}

{{/*
Writable scratch for a read-only root filesystem: LEADFLOW_DATA_DIR and the temp dir. With
temporal.tls.existingSecret, its client pair (and ca.crt when secretHasCA) as files: named by key,
so a Secret without one fails the pod's start saying which, and readable by the pod's group only
(0440, group fsGroup: the pods run as non-root).
*/}}
{{- define "leadflow.volumes" -}}
volumes:
  - name: data
    emptyDir: {}
  - name: tmp
    emptyDir: {}
{{- with .Values.temporal.tls }}
{{- if .existingSecret }}
  - name: temporal-tls
    secret:
      secretName: {{ .existingSecret }}
      defaultMode: 288
      items:
        - { key: tls.crt, path: tls.crt }
        - { key: tls.key, path: tls.key }
        {{- if .secretHasCA }}
        - { key: ca.crt, path: ca.crt }
        {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "leadflow.volumeMounts" -}}
volumeMounts:
  - name: data
    mountPath: /data
  - name: tmp
    mountPath: /tmp
{{- if .Values.temporal.tls.existingSecret }}
  - name: temporal-tls
    mountPath: {{ include "leadflow.tlsDir" . }}
    readOnly: true
{{- end }}
{{- end -}}

{{/* Rolls the pods when the configuration changes (the ConfigMap and Secret are not watched). */}}
{{- define "leadflow.checksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}
