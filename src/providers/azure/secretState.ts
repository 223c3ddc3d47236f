/**
 * Whether a Key Vault secret is usable by Workato: enabled and inside its activation (notBefore)
 * and expiry (expiresOn) dates. Key Vault itself only refuses disabled secrets and serves expired
 * or not-yet-active ones, so the provider enforces the dates.
 */
import { ConnectionSecretsError } from '../../core/errors';
import type { SecretState } from '../../core/provider';

export interface StateProperties {
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
}

export function secretState(p: StateProperties, now: Date): SecretState {
  if (p.enabled === false) return 'disabled';
  if (p.notBefore && p.notBefore.getTime() > now.getTime()) return 'notYetActive';
  if (p.expiresOn && p.expiresOn.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The typed error for a secret Workato would refuse, or undefined when it is usable. */
export function stateError(name: string, vaultName: string, p: StateProperties, now: Date, version?: string): ConnectionSecretsError | undefined {
  const which = `Secret "${name}"${version ? ` (version ${version})` : ''}`;
  switch (secretState(p, now)) {
    case 'disabled':
      return new ConnectionSecretsError('Disabled', `${which} is disabled in vault ${vaultName}; Workato requires an enabled secret.`, {
        fix: `Enable it: az keyvault secret set-attributes --vault-name ${vaultName} --name ${name}${version ? ` --version ${version}` : ''} --enabled true`,
      });
    case 'notYetActive':
      return new ConnectionSecretsError('NotYetActive', `${which} is not active until ${p.notBefore!.toISOString()} (its activation date); Workato refuses it before then.`, {
        fix: `Wait until then, or move the activation date: az keyvault secret set-attributes --vault-name ${vaultName} --name ${name}${version ? ` --version ${version}` : ''} --not-before ${now.toISOString().replace(/\.\d+Z$/, 'Z')}`,
      });
    case 'expired':
      return new ConnectionSecretsError('Expired', `${which} expired on ${p.expiresOn!.toISOString()}; Workato refuses expired secrets.`, {
        fix: `Rotate it (az keyvault secret set --vault-name ${vaultName} --name ${name} --value <new value> --expires <date>) or extend it: az keyvault secret set-attributes --vault-name ${vaultName} --name ${name} --expires <new date>`,
      });
    default:
      return undefined;
  }
}
