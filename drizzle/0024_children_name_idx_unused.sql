-- No search reads lower(name) since names are folded as person matching folds them (store/name-search.ts):
-- the index was kept up on every child written and served nothing.
DROP INDEX "children_name_idx";