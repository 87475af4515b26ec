package fsredis_test

import (
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/fsredis"
)

// A map on Redis is used exactly as a map in files.
func Example() {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	defer rdb.Close()
	ages, err := fsredis.OpenMap[int](rdb, "ages", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ages.Close()
	if err := ages.Set("ada", 36); err != nil {
		log.Fatal(err)
	}
	for name, age := range ages.All() {
		fmt.Println(name, age)
	}
	if err := ages.Err(); err != nil {
		log.Fatal(err)
	}
}

// A work queue shared by machines: producers Append, workers Take.
func ExampleOpenList() {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"}})
	defer rdb.Close()
	jobs, err := fsredis.OpenList[string](rdb, "jobs", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer jobs.Close()
	_ = jobs.Append("resize photo 1", "resize photo 2")
}
