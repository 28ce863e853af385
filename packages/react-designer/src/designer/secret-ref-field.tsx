import type { ReactElement } from 'react'
import { getDefaultRegistry } from '@rjsf/core'
import type { FieldProps, RegistryFieldsType } from '@rjsf/utils'

/** The JSON Schema keyword `secretRef()` sets on a secret field (see `@tessera/core`). */
const secretKeyword = 'x-tessera-secret'

const DefaultObjectField = getDefaultRegistry().fields.ObjectField!

/**
 * The form field of a connector secret (`{ "$secret": "NAME" }`): one text box for the secret's
 * name, and a note that the value is resolved on the server when the action runs. The designer
 * never asks for, holds or shows a secret's value.
 */
function SecretRefField(props: FieldProps): ReactElement {
  const { schema, formData, fieldPathId, required, disabled, readonly, errorSchema } = props
  const id = fieldPathId.$id
  const name =
    typeof formData === 'object' && formData !== null && typeof formData.$secret === 'string'
      ? (formData.$secret as string)
      : ''
  const title = (schema.title as string | undefined) ?? props.name
  const errors = [
    ...((errorSchema?.__errors as string[] | undefined) ?? []),
    ...(((errorSchema as Record<string, { __errors?: string[] }> | undefined)?.$secret?.__errors as
      string[] | undefined) ?? []),
  ]
  return (
    <div className="form-group tsr-secret-field" data-testid={`tsr-secret-${id}`}>
      <label htmlFor={id}>
        {title}
        {required ? '*' : ''} <span className="tsr-secret-field__badge">secret</span>
      </label>
      {schema.description ? <p className="field-description">{schema.description}</p> : null}
      <input
        id={id}
        type="text"
        autoComplete="off"
        spellCheck={false}
        placeholder="SECRET_NAME"
        value={name}
        disabled={disabled}
        readOnly={readonly}
        aria-describedby={`${id}__help`}
        onChange={(event) => {
          const value = event.target.value.trim()
          props.onChange(value === '' ? undefined : { $secret: value }, fieldPathId.path)
        }}
      />
      <p id={`${id}__help`} className="field-description">
        The name of a secret. Its value is resolved on the server when the action runs and is never
        stored in the workflow or shown here.
      </p>
      {errors.length > 0 ? (
        <ul className="error-detail">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

function ObjectOrSecretField(props: FieldProps): ReactElement {
  return (props.schema as Record<string, unknown>)[secretKeyword] === true ? (
    <SecretRefField {...props} />
  ) : (
    <DefaultObjectField {...props} />
  )
}

/** @internal The properties form's fields: objects, except secret references. */
export const propertiesFormFields: RegistryFieldsType = { ObjectField: ObjectOrSecretField }
