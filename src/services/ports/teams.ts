import type { Money } from '../../domain/money.ts';
export interface TeamRecord {
  id: number;
  slug: string;
  name: string;
  channelId: string | null;
  leadUserIds: string[];
  memberUserIds: string[];
  userGroupId: string | null;
  costCenter: string | null;
}
export interface FeatureRecord {
  id: number;
  slug: string;
  name: string;
  teamId: number | null;
}
export interface TeamInput {
  slug: string;
  name: string;
  channelId?: string | null;
  leadUserIds?: string[];
  memberUserIds?: string[];
  userGroupId?: string | null;
  costCenter?: string | null;
}
/** Teams, their aliases and their features. */
export interface TeamsRepository {
  list(): Promise<TeamRecord[]>;
  bySlug(slug: string): Promise<TeamRecord | null>;
  byChannel(channelId: string): Promise<TeamRecord | null>;
  upsert(input: TeamInput): Promise<TeamRecord>;
  listFeatures(): Promise<FeatureRecord[]>;
  featureBaseline(featureId: number): Promise<Money | null>;
  setFeatureBaseline(featureId: number, amount: bigint | null): Promise<void>;
  upsertFeature(input: { slug: string; name: string; teamId: number | null }): Promise<FeatureRecord>;
}
