import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { useApi } from '../api/context.js'
import type { Connector, InventoryFormat, Schedule } from '../api/types.js'
import { SelectField, TextField } from '../components/field.js'
import { errorText } from '../components/status.js'
import { navigate } from '../router.js'
import { SCHEDULE_TEXT } from '../view-model/connector-state.js'
import {
  createBodyOf,
  credentialsTyped,
  formValuesOf,
  inventoryConfigOf,
  inventoryTyped,
  updateBodyOf,
  type ConnectorFormValues,
} from '../view-model/connector-form.js'
import { fieldErrors } from '../view-model/field-errors.js'

const FORMAT_TEXT: Record<InventoryFormat, string> = { CSV: 'CSV', ORC: 'ORC', Parquet: 'Parquet' }

/**
 * Create a connector, or change one: name, credentials (write-only: never shown, typed in only to
 * replace them) and the inventory settings. Each 400's issues are shown at their fields.
 */
export function ConnectorForm({ connector, onSaved }: { connector: Connector | null; onSaved: (connector: Connector) => void }) {
  const api = useApi()
  const [values, setValues] = useState<ConnectorFormValues>(() => formValuesOf(connector))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // A new connector whose inventory settings were refused is kept: the next save updates it.
  const [created, setCreated] = useState<Connector | null>(null)
  useEffect(() => setValues(formValuesOf(connector)), [connector])
  const existing = connector ?? created
  const set = <K extends keyof ConnectorFormValues>(key: K, value: ConnectorFormValues[K]) => setValues((v) => ({ ...v, [key]: value }))
  const text = (key: keyof ConnectorFormValues) => ({
    value: values[key] as string,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
    error: errors[key] ?? errors[`credentials.${key}`],
  })

  const show = (error: unknown, what: string) => {
    if (error instanceof ApiError && error.issues.length > 0) {
      const byField = fieldErrors(error.issues)
      setErrors((e) => ({ ...e, ...byField }))
      const general = byField[''] ?? byField.credentials
      setFormError(`${what}: ${general ?? 'check the fields marked below.'}`)
    } else {
      setFormError(`${what}: ${errorText(error)}`)
    }
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setErrors({})
    setFormError(null)
    setSaved(null)
    try {
      let current = existing
      try {
        current = current === null ? await api.createConnector(createBodyOf(values)) : await api.updateConnector(current.guid, updateBodyOf(values))
      } catch (error) {
        return show(error, current === null ? 'The connector was not created' : 'The connector was not saved')
      }
      if (existing === null) setCreated(current)
      if (inventoryTyped(values) || current.inventoryConfig !== null) {
        try {
          current = await api.setInventoryConfig(current.guid, inventoryConfigOf(values))
        } catch (error) {
          return show(error, existing === null ? 'The connector was created, but its inventory settings were not saved' : 'The inventory settings were not saved')
        }
      }
      setValues((v) => ({ ...formValuesOf(current), name: v.name }))
      setSaved(credentialsTyped(values) ? 'Saved (the new credentials are stored encrypted).' : 'Saved.')
      onSaved(current)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} noValidate className="card form" aria-label={existing ? 'Connector settings' : 'New connector'}>
      {formError ? (
        <div className="message error" role="alert">
          {formError}
        </div>
      ) : null}
      <fieldset>
        <legend>Connector</legend>
        <TextField id="name" label="Name" required {...text('name')} />
      </fieldset>
      <fieldset>
        <legend>S3 credentials</legend>
        <p className="help">
          {existing?.hasCredentials
            ? 'Credentials are stored (encrypted) and never shown. Leave these empty to keep them, or type new ones to replace them.'
            : "Optional: without credentials the agent uses its own AWS credentials. They are write-only: stored encrypted, never shown again."}
        </p>
        <div className="grid two">
          <TextField id="accessKeyId" label="Access key id" autoComplete="off" {...text('accessKeyId')} />
          <TextField id="secretAccessKey" label="Secret access key" type="password" autoComplete="new-password" {...text('secretAccessKey')} />
          <TextField id="sessionToken" label="Session token (optional)" type="password" autoComplete="off" {...text('sessionToken')} />
          <TextField id="region" label="Region (optional)" placeholder="us-east-1" {...text('region')} />
          <TextField id="endpoint" label="Endpoint (optional)" placeholder="https://s3.example.com" help="For S3-compatible storage (MinIO, s3rver) or a VPC endpoint." {...text('endpoint')} />
          <div className="field checkbox">
            <input id="forcePathStyle" type="checkbox" checked={values.forcePathStyle} onChange={(e) => set('forcePathStyle', e.target.checked)} />
            <label htmlFor="forcePathStyle">Path-style requests</label>
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Inventory</legend>
        <div className="grid two">
          <TextField id="destinationBucket" label="Destination bucket" help="The bucket AWS writes the inventory reports to." {...text('destinationBucket')} />
          <TextField id="destinationPrefix" label="Destination prefix (optional)" {...text('destinationPrefix')} />
          <TextField id="sourceBucket" label="Source bucket" help="The bucket the inventory lists (your photos)." {...text('sourceBucket')} />
          <TextField id="configName" label="Inventory configuration name" {...text('configName')} />
          <SelectField id="format" label="Format" options={FORMAT_TEXT} value={values.format} onChange={(e) => set('format', e.target.value as InventoryFormat)} error={errors.format} />
          <SelectField id="schedule" label="Import schedule" options={SCHEDULE_TEXT} value={values.schedule} onChange={(e) => set('schedule', e.target.value as Schedule)} error={errors.schedule} />
          <TextField id="deltaListLimit" label="Changed files kept per delta list" type="number" min={0} inputMode="numeric" help="0 keeps counts only." {...text('deltaListLimit')} />
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : existing ? 'Save' : 'Create connector'}
        </button>
        {existing && connector === null ? (
          <button type="button" onClick={() => navigate(`/connectors/${existing.guid}`)}>
            Go to the connector
          </button>
        ) : null}
        {saved ? (
          <span className="message ok inline" role="status">
            {saved}
          </span>
        ) : null}
      </div>
    </form>
  )
}
