import { createHash } from 'crypto';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { checkConstructProps } from '../catalog/props-check';

/**
 * The first AWS provider release this library has seen with `auth_token_wo` on
 * aws_elasticache_replication_group (added by hashicorp/terraform-provider-aws#49268, merged
 * 2026-08-24; present in 6.64.0). The generated bindings (@cdktf/provider-aws 21.22, provider
 * 6.25.0) predate it, so the argument is written as an override and the stack asks for this provider.
 */
export const AWS_PROVIDER_WITH_WRITE_ONLY_AUTH_TOKEN = '6.64.0';
/** Write-only arguments need Terraform 1.11; ephemeral resources 1.10. */
export const TERRAFORM_WITH_WRITE_ONLY_ARGUMENTS = '1.11.0';

export interface CacheAuthTokenProps {
  /** Name of the Secrets Manager secret that keeps the token for clients. */
  readonly secretName: string;
  readonly description: string;
  readonly kmsKeyArn: string;
  readonly recoveryWindowInDays: number;
  /** Bump to draw a new token: the cache and the secret get it in the same apply. */
  readonly version: number;
  readonly tags?: Record<string, string>;
}

/**
 * An AUTH token that never enters the Terraform state or plan. An ephemeral
 * `aws_secretsmanager_random_password` draws it during the run; it reaches ElastiCache through the
 * replication group's write-only `auth_token_wo` and Secrets Manager through the secret version's
 * write-only `secret_string_wo`, both sent only when their `*_wo_version` changes. The token then
 * exists in two places, both encrypted with the cache's key: the cache and the secret clients read.
 * https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only
 */
export class CacheAuthToken extends Construct {
  public readonly secretArn: string;
  public readonly version: number;
  /** A reference to the token usable only in write-only arguments (Terraform refuses it elsewhere). */
  private readonly ephemeralToken: string;
  private readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: CacheAuthTokenProps) {
    checkConstructProps(CacheAuthToken, scope, id, props);
    super(scope, id);
    const stack = TerraformStack.of(this);
    // cdktf 0.21 has no ephemeral blocks: written into the stack's JSON, named after this construct.
    const ephemeralName = `cache_auth_token_${createHash('sha256').update(this.node.path).digest('hex').slice(0, 12)}`;
    stack.addOverride(`ephemeral.aws_secretsmanager_random_password.${ephemeralName}`, {
      // ElastiCache allows only !&#$^<>- as punctuation in a token: letters and digits are enough.
      password_length: 64,
      exclude_punctuation: true,
      include_space: false,
    });
    this.ephemeralToken = `\${ephemeral.aws_secretsmanager_random_password.${ephemeralName}.random_password}`;
    stack.addOverride('terraform.required_providers.aws.version', `>= ${AWS_PROVIDER_WITH_WRITE_ONLY_AUTH_TOKEN}`);
    stack.addOverride('terraform.required_version', `>= ${TERRAFORM_WITH_WRITE_ONLY_ARGUMENTS}`);

    this.version = props.version;
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.secretName,
      description: props.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays,
      tags: props.tags,
    });
    this.secretArn = this.secret.arn;
  }

  /**
   * Sets the token on `group` and stores the same draw in the secret. The secret version is
   * replaced with the group, so a re-created cache and its secret never hold different tokens.
   */
  public applyTo(group: ElasticacheReplicationGroup): void {
    group.addOverride('auth_token_wo', this.ephemeralToken);
    group.addOverride('auth_token_wo_version', this.version);
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: this.secret.id,
      secretStringWo: this.ephemeralToken,
      secretStringWoVersion: this.version,
      // The group's id changes only when it is replaced; an in-place update must not redraw. In
      // JSON, Terraform parses each entry as an HCL expression: a bare reference.
      lifecycle: { replaceTriggeredBy: [`${ElasticacheReplicationGroup.tfResourceType}.${group.friendlyUniqueId}.id`] },
    });
  }
}
