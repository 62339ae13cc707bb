import type { HiddenCost, NewHiddenCost } from '../../domain/hidden-costs.ts';
export interface HiddenCostListing extends HiddenCost {
  createdAt: Date;
  updatedAt: Date;
}
/** Hidden-cost entries and their categories; every change is audited with before and after. */
export interface HiddenCostsRepository {
  active(): Promise<HiddenCostListing[]>;
  byId(id: number): Promise<HiddenCostListing | null>;
  create(cost: NewHiddenCost, actor: string, at: Date): Promise<HiddenCostListing>;
  update(id: number, cost: NewHiddenCost, actor: string, at: Date): Promise<HiddenCostListing | null>;
  remove(id: number, actor: string, at: Date): Promise<boolean>;
  categories(): Promise<string[]>;
  addCategory(name: string, label: string, actor: string, at: Date): Promise<void>;
}
