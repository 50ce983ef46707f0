/** A labelled form field with its help and the API's message for it, tied together for screen readers. */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react'

interface FieldProps {
  id: string
  label: string
  error?: string | undefined
  help?: ReactNode
}

function described(id: string, error: string | undefined, help: ReactNode): string | undefined {
  const ids = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean)
  return ids.length ? ids.join(' ') : undefined
}

function FieldText({ id, error, help }: Omit<FieldProps, 'label'>) {
  return (
    <>
      {help ? (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  )
}

export function TextField({ id, label, error, help, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, help)} {...input} />
      <FieldText id={id} error={error} help={help} />
    </div>
  )
}

export function SelectField({ id, label, error, help, options, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: Record<string, string> }) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={id} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, help)} {...select}>
        {Object.entries(options).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      <FieldText id={id} error={error} help={help} />
    </div>
  )
}
