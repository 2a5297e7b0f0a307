# Prints the SQL of BenchRun.write(table, n), the workload of bench/run's stream and cli scenarios (50 % inserts,
# 30 % updates, 20 % deletes; half in transactions of n/100 rows, half single-row): python3 backlog_workload.py T N
import sys
table, n = sys.argv[1], int(sys.argv[2])
ROW = ("k, k % 100000, k * 7, (k % 100000) / 7.0, 'text value ' || k, md5(k::text),"
       " timestamptz '2024-01-01' + k * interval '1 s', k % 2 = 0, k / 3.0, md5(k::text)::uuid")
tx = max(1, n // 100); insL = n*30//100; insS = n*20//100; updL = n*15//100; updS = n*15//100; delL = n*5//100
delS = n - insL - insS - updL - updS - delL
loop = "CREATE OR REPLACE PROCEDURE %s(a bigint, z bigint) LANGUAGE plpgsql AS $$ BEGIN FOR k IN a..z LOOP %s; COMMIT; END LOOP; END $$;"
print(loop % (table+"_single_insert", "INSERT INTO "+table+" VALUES ("+ROW+")"))
print(loop % (table+"_single_update", "UPDATE "+table+" SET i = i + 1, t = t || 'u', ts = now(), f = f + 1 WHERE id = k"))
print(loop % (table+"_single_delete", "DELETE FROM "+table+" WHERE id = k"))
a = 1
while a <= insL: print("INSERT INTO %s SELECT %s FROM generate_series(%d, %d) k;" % (table, ROW, a, min(insL, a+tx-1))); a += tx
print("CALL %s_single_insert(%d, %d);" % (table, insL+1, insL+insS))
a = 1
while a <= updL: print("UPDATE %s SET i = i + 1, t = t || 'u', ts = now(), f = f + 1 WHERE id BETWEEN %d AND %d;" % (table, a, min(updL, a+tx-1))); a += tx
print("CALL %s_single_update(%d, %d);" % (table, insL+1, insL+updS))
a = updL+1
while a <= updL+delL: print("DELETE FROM %s WHERE id BETWEEN %d AND %d;" % (table, a, min(updL+delL, a+tx-1))); a += tx
d0 = updL+delL+1
print("CALL %s_single_delete(%d, %d);" % (table, d0, d0+delS-1))
